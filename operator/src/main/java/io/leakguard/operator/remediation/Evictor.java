package io.leakguard.operator.remediation;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Evicts pods through the {@code policy/v1} Eviction API, so that PodDisruptionBudgets and the pod's
 * own grace period (and preStop hooks) hold. The eviction names the pod's uid as a precondition, so
 * a replacement that took the same name is never evicted in its place.
 */
@Singleton
public class Evictor {

    /** How an eviction ended. */
    public enum Outcome {
        Evicted, BlockedByPdb, AlreadyGone, Failed
    }

    public record Result(Outcome outcome, String message) {
    }

    private final KubernetesClient client;

    public Evictor(KubernetesClient shared) {
        // A 429 here is a PodDisruptionBudget saying "not now": it must come back at once, not after the
        // client's own retries. LeakGuard retries on its next round instead.
        this.client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(shared.getConfiguration()).withRequestRetryBackoffLimit(0).build())
                .build();
    }

    public Result evict(String namespace, String pod, String uid) {
        Eviction eviction = new EvictionBuilder()
                .withNewMetadata().withName(pod).withNamespace(namespace).endMetadata()
                .withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions().withUid(uid).endPreconditions().build())
                .build();
        try {
            boolean evicted = client.pods().inNamespace(namespace).withName(pod).evict(eviction);
            return evicted ? new Result(Outcome.Evicted, "evicted through the Eviction API; the pod's grace period applies")
                    : new Result(Outcome.BlockedByPdb, "a PodDisruptionBudget does not allow it now (429); will retry");
        } catch (KubernetesClientException e) {
            return switch (e.getCode()) {
                case 404 -> new Result(Outcome.AlreadyGone, "the pod is already gone");
                case 429 -> new Result(Outcome.BlockedByPdb, "a PodDisruptionBudget does not allow it now (429); will retry");
                case 409 -> new Result(Outcome.Failed, "conflict (409): the pod changed; will retry");
                default -> new Result(Outcome.Failed, "eviction failed (" + (e.getCode() == 0 ? "no answer" : "HTTP " + e.getCode())
                        + (e.getStatus() != null && e.getStatus().getMessage() != null ? ": " + e.getStatus().getMessage() : "")
                        + "); will retry");
            };
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
