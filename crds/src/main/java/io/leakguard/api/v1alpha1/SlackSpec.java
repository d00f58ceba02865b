package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A Slack incoming webhook, whose URL is kept in a Secret. */
public class SlackSpec {

    @Required
    @JsonPropertyDescription("Secret key whose value is the incoming-webhook URL. The URL is never logged.")
    public SecretKeyRef webhookSecretRef;
}
