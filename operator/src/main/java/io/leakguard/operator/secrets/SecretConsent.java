package io.leakguard.operator.secrets;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.fabric8.kubernetes.api.model.Secret;

/**
 * Pure: whether the operator may use a Secret a LeakPolicy names. The operator can read every Secret in
 * the cluster, and a policy is written by a namespace's team, who might name a Secret they cannot read
 * themselves (a service-account token, a database password) and have its value sent to a URL of their
 * choice. So a Secret is used only when it carries the label {@value #LABEL}{@code : "true"}, which
 * whoever can write Secrets in the namespace sets, and never when it is a service-account token.
 */
public final class SecretConsent {

    /** The label that makes a Secret usable by LeakPolicies of its namespace. */
    public static final String LABEL = "leakguard.io/readable";

    private SecretConsent() {
    }

    /** The value of {@code key}, or an {@link IllegalStateException} saying why it may not or cannot be read. */
    public static String value(Secret secret, String namespace, String name, String key, String field) {
        String where = "Secret " + namespace + "/" + name + " (" + field + ")";
        if (secret == null) {
            throw new IllegalStateException(where + " does not exist");
        }
        if ("kubernetes.io/service-account-token".equals(secret.getType())) {
            throw new IllegalStateException(where + " is a service-account token; LeakGuard never reads those");
        }
        var labels = secret.getMetadata() == null ? null : secret.getMetadata().getLabels();
        if (labels == null || !"true".equals(labels.get(LABEL))) {
            throw new IllegalStateException(where + " is not labelled " + LABEL + "=true; label it to let LeakGuard"
                    + " use it: kubectl label secret -n " + namespace + " " + name + " " + LABEL + "=true");
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        if (encoded == null) {
            throw new IllegalStateException(where + " has no key '" + key + "'");
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).trim();
    }
}
