package io.leakguard.operator.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.tracking.PodRegistry;
import org.awaitility.core.ConditionTimeoutException;

/** Deletes a namespace's LeakPolicies between tests and waits until they are really gone. */
public final class PolicyCleanup {

    private PolicyCleanup() {
    }

    /**
     * A policy whose finalizer had to be cleared by hand never reached the operator's cleanup, so it is
     * forgotten in {@code registry} here as that cleanup would have, or it would keep sampling into the
     * next test.
     */
    public static void deleteAll(KubernetesClient client, PodRegistry registry, String namespace) {
        var policies = client.resources(LeakPolicy.class).inNamespace(namespace);
        policies.delete();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> policies.list().getItems().isEmpty());
        } catch (ConditionTimeoutException e) {
            // The mock API server's finalizer handling sometimes misses the operator's removal when a
            // policy is deleted while its finalizer is being added, and a status patch that lands just
            // after the delete stores the policy again; clear the finalizer as an administrator would,
            // and delete again.
            policies.list().getItems().forEach(p -> {
                registry.forget(new ResourceID(p.getMetadata().getName(), namespace));
                policies.withName(p.getMetadata().getName()).edit(existing -> {
                    existing.getMetadata().setFinalizers(List.of());
                    return existing;
                });
            });
            policies.delete();
            await().atMost(Duration.ofSeconds(15)).until(() -> policies.list().getItems().isEmpty());
        }
    }
}
