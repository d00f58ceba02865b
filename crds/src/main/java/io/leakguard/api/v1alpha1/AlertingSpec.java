package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Where LeakGuard reports verdicts and restarts. */
public class AlertingSpec {

    @JsonPropertyDescription("Slack incoming webhook. Unset: no Slack messages.")
    public SlackSpec slack;

    @JsonPropertyDescription("Alertmanager v2 API endpoints. Unset: no Alertmanager alerts.")
    public AlertmanagerSpec alertmanager;

    @Default("true")
    @JsonPropertyDescription("Record Kubernetes Events on the pod and on this LeakPolicy.")
    public Boolean events = true;
}
