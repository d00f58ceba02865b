package io.leakguard.operator.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.api.v1alpha1.LeakPolicy;
import org.awaitility.core.ConditionTimeoutException;

/** Deletes a namespace's LeakPolicies between tests and waits until they are really gone. */
public final class PolicyCleanup {

    private PolicyCleanup() {
    }

    /**
     * @return the names of the policies whose finalizer had to be cleared by hand: the operator's cleanup
     *     never ran for them, so what it would have forgotten is still remembered
     */
    public static List<String> deleteAll(KubernetesClient client, String namespace) {
        var policies = client.resources(LeakPolicy.class).inNamespace(namespace);
        policies.delete();
        List<String> forced = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> policies.list().getItems().isEmpty());
        } catch (ConditionTimeoutException e) {
            // The mock API server's finalizer handling sometimes misses the operator's removal when a
            // policy is deleted while its finalizer is being added, and a status patch that lands just
            // after the delete stores the policy again; clear the finalizer as an administrator would,
            // and delete again.
            policies.list().getItems().forEach(p -> {
                forced.add(p.getMetadata().getName());
                policies.withName(p.getMetadata().getName()).edit(existing -> {
                    existing.getMetadata().setFinalizers(List.of());
                    return existing;
                });
            });
            policies.delete();
            await().atMost(Duration.ofSeconds(15)).until(() -> policies.list().getItems().isEmpty());
        }
        return forced;
    }
}
