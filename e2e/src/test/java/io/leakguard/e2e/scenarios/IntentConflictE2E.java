package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.e2e.harness.ApiProxy;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import org.junit.jupiter.api.Test;

/**
 * Another writer changes the policy between the operator's read and its eviction intent: the intent is
 * written with the resourceVersion it was planned from, so the real API server refuses it (409) and nothing
 * is evicted on that plan; the operator plans again from the fresh policy and evicts the pod exactly once.
 */
class IntentConflictE2E {

    @Test
    void anIntentPlannedFromAStalePolicyIsRefusedAndThePodIsEvictedOnceOnTheNextPlan() throws Exception {
        String reason = KubeCluster.unavailableReason();
        KubeCluster.assumeRunnable("IntentConflictE2E", reason);
        try (KubeCluster cluster = KubeCluster.start(Files.createTempDirectory("intent-conflict-e2e"));
                ApiProxy proxy = ApiProxy.start(cluster.plane)) {
            cluster.plane.routePodsThrough(proxy.url);
            AtomicBoolean changed = new AtomicBoolean();
            proxy.onSending(request -> {
                if ("PATCH".equals(request.method()) && request.path().contains("/leakpolicies/checkout/status")
                        && request.body().contains("\"Evicting\"") && changed.compareAndSet(false, true)) {
                    // Another writer, just before the intent reaches the API server.
                    cluster.client.resources(LeakPolicy.class).inNamespace("shop").withName("checkout").edit(p -> {
                        p.getMetadata().getAnnotations().put("example.com/touched-by", "another-writer");
                        return p;
                    });
                }
            });
            cluster.installOperator(Map.of(), Map.of());
            cluster.namespace("shop");
            cluster.leakyDeployment("shop", "checkout", 2, Workloads.LIMIT, Workloads.firstLeaksFlags());
            cluster.awaitReady("shop", "checkout", 2, Duration.ofMinutes(2));
            String leaking = cluster.runningPods("shop").get(0);
            cluster.create(Workloads.policy("shop", "", "", "{}").replace("metadata: {name: checkout, namespace: shop}",
                    "metadata: {name: checkout, namespace: shop, annotations: {example.com/owner: shop}}"));

            await().atMost(Duration.ofMinutes(7)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !cluster.kubelet.lives("shop").isEmpty());
            HarnessKubelet.Life life = cluster.kubelet.lives("shop").get(0);
            assertThat(changed).as("the other writer acted before the first intent").isTrue();
            assertThat(cluster.plane.requests()).as("the intent planned from the stale policy, refused")
                    .anySatisfy(r -> {
                        assertThat(r.user()).isEqualTo(KubeCluster.OPERATOR_USER);
                        assertThat(r.resource()).isEqualTo("leakpolicies");
                        assertThat(r.subresource()).isEqualTo("status");
                        assertThat(r.code()).isEqualTo(409);
                    });
            assertThat(life.pod()).isEqualTo(leaking);
            assertThat(life.ending()).isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cluster.evictions("shop"))
                    .as("evicted once, on the plan made from the fresh policy").containsExactly(leaking));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    cluster.policy("shop", "checkout").getStatus().remediations)
                    .as("status records it, once the reconcile that evicted has written it")
                    .filteredOn(r -> "Evicted".equals(r.result)).hasSize(1));
        }
    }
}
