package io.leakguard.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.junit.jupiter.api.Test;

/** A tenant's policy may name any Secret of its namespace; only those labelled for LeakGuard are ever used. */
class SecretConsentTest {

    private static Secret secret(String type, boolean labelled) {
        SecretBuilder builder = new SecretBuilder().withType(type).withNewMetadata().withName("s").endMetadata()
                .addToData("token", Base64.getEncoder().encodeToString("value\n".getBytes(StandardCharsets.UTF_8)));
        if (labelled) {
            builder.editMetadata().addToLabels(SecretConsent.LABEL, "true").endMetadata();
        }
        return builder.build();
    }

    @Test
    void aPolicyCannotSendAnUnlabelledSecretsValueAnywhere() {
        assertThatThrownBy(() -> SecretConsent.value(secret("Opaque", false), "shop", "db-password", "token",
                "spec.alerting.slack.webhookSecretRef"))
                .hasMessageContaining("Secret shop/db-password (spec.alerting.slack.webhookSecretRef) is not labelled"
                        + " leakguard.io/readable=true")
                .hasMessageContaining("kubectl label secret -n shop db-password leakguard.io/readable=true")
                .hasMessageNotContaining("value");
    }

    @Test
    void aServiceAccountTokenIsNeverReadEvenWhenLabelled() {
        assertThatThrownBy(() -> SecretConsent.value(secret("kubernetes.io/service-account-token", true), "shop", "sa",
                "token", "spec.metrics.prometheus.bearerTokenSecretRef"))
                .hasMessageContaining("is a service-account token; LeakGuard never reads those");
    }

    @Test
    void aLabelledSecretsKeyIsUsedAndAMissingOneIsNamed() {
        assertThat(SecretConsent.value(secret("Opaque", true), "shop", "slack", "token", "f")).isEqualTo("value");
        assertThatThrownBy(() -> SecretConsent.value(secret("Opaque", true), "shop", "slack", "url", "f"))
                .hasMessageContaining("has no key 'url'");
        assertThatThrownBy(() -> SecretConsent.value(null, "shop", "gone", "url", "f")).hasMessageContaining("does not exist");
    }
}
