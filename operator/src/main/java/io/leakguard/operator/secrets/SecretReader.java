package io.leakguard.operator.secrets;

import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Reads a key of a Secret that a LeakPolicy names, with the namespace's consent ({@link SecretConsent}):
 * the Prometheus bearer token and the Slack webhook URL both come through here.
 */
@Singleton
public class SecretReader {

    private final KubernetesClient client;

    public SecretReader(KubernetesClient client) {
        this.client = client;
    }

    /** The value, or an {@link IllegalStateException} whose message says which Secret and what to do. */
    public String read(String namespace, String name, String key, String field) {
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read Secret " + namespace + "/" + name + " (" + field + "): "
                    + e.getMessage());
        }
        return SecretConsent.value(secret, namespace, name, key, field);
    }
}
