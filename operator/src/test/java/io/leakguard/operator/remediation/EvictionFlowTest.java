package io.leakguard.operator.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.operator.testing.FakeMetricsEndpoint.Answer;
import io.leakguard.operator.testing.FakeMetricsEndpoint;
import io.leakguard.operator.testing.Fixtures;
import io.leakguard.operator.testing.OperatorFlow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ReplicaSet of two pods, one leaking: LeakGuard dumps it, evicts it once through the Eviction API
 * (the mock API server answers 201 and counts), and records it in status and Events. With dry run, it
 * records "would restart" and evicts nothing. The test plays the ReplicaSet and replaces evicted pods.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = EvictionFlowTest.CountEvictions.class)
class EvictionFlowTest extends OperatorFlow {

    private static final double MIB = 1024 * 1024;
    static final Map<String, AtomicInteger> EVICTIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The mock API server has no eviction subresource; answer it as the API server does, and count. */
    public static class CountEvictions implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            for (String ns : List.of("evict", "dry")) {
                server.expect().post().withPath("/api/v1/namespaces/" + ns + "/pods/api-1/eviction")
                        .andReply(201, request -> {
                            EVICTIONS.computeIfAbsent(ns, k -> new AtomicInteger()).incrementAndGet();
                            return new StatusBuilder().withStatus("Success").withCode(201).build();
                        }).always();
            }
        }
    }

    FakeMetricsEndpoint leaking;
    FakeMetricsEndpoint healthy;

    @AfterEach
    void cleanUp() {
        clean("evict", "dry");
        leaking.close();
        healthy.close();
    }

    @Test
    void aLeakingReplicaIsDumpedThenEvictedOnceAndItsReplacementIsLeftAlone() throws Exception {
        run("evict", false);

        assertThat(EVICTIONS.get("evict").get()).as("evictions requested").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            LeakPolicy policy = policy("evict");
            assertThat(policy.getStatus().restarts).isEqualTo(1);
            RemediationRecord evicted = policy.getStatus().remediations.stream()
                    .filter(r -> "Evicted".equals(r.result)).findFirst().orElseThrow();
            assertThat(evicted.pod).isEqualTo("api-1");
            assertThat(evicted.workload).isEqualTo("ReplicaSet/api-rs");
            assertThat(evicted.dump).as("the dump came first").startsWith("leakguard-dump-api-1-");
        });
        assertThat(client.v1().events().inNamespace("evict").list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("Evicted");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("api-1");
                });
    }

    @Test
    void dryRunRecordsWouldRestartAndEvictsNothing() throws Exception {
        run("dry", true);

        assertThat(EVICTIONS.getOrDefault("dry", new AtomicInteger()).get()).isZero();
        LeakPolicy policy = policy("dry");
        assertThat(policy.getStatus().restarts).isZero();
        assertThat(policy.getStatus().remediations).anySatisfy(r -> {
            assertThat(r.result).isEqualTo("DryRun");
            assertThat(r.reason).startsWith("would restart");
        });
    }

    private void run(String ns, boolean dryRun) throws Exception {
        leaking = new FakeMetricsEndpoint();
        healthy = new FakeMetricsEndpoint();
        try (var in = EvictionFlowTest.class.getResourceAsStream("/dumps/go1.19-debug2-trigger.txt")) {
            leaking.dump(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        AtomicInteger n = new AtomicInteger();
        leaking.answer(() -> {
            int i = n.getAndIncrement();
            double heap = 300 * MIB + i * 3 * MIB + (i % 4) * 6 * MIB;
            return Answer.ok(FakeMetricsEndpoint.goMetrics(30, heap, heap + 40 * MIB));
        });
        healthy.answer(() -> Answer.ok(FakeMetricsEndpoint.goMetrics(30, 200 * MIB, 240 * MIB)));
        client.pods().inNamespace(ns).resource(pod("api-1", leaking.port())).create();
        client.pods().inNamespace(ns).resource(pod("api-2", healthy.port())).create();
        LeakPolicy policy = Fixtures.quickGoPolicy(ns, "api", Map.of("app", "api"), "30m");
        policy.getSpec().remediation.dryRun = dryRun;
        client.resource(policy).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> policy(ns).getStatus() != null
                && policy(ns).getStatus().pods.matched == 2);

        for (int round = 0; round < 400; round++) {
            step(Duration.ofSeconds(15));
            LeakPolicy seen = policy(ns);
            boolean acted = seen.getStatus().remediations != null && seen.getStatus().remediations.stream()
                    .anyMatch(r -> "Evicted".equals(r.result) || "DryRun".equals(r.result));
            if (acted) {
                break;
            }
        }
        if (!dryRun) {
            await().atMost(Duration.ofSeconds(10)).until(() -> EVICTIONS.getOrDefault(ns, new AtomicInteger()).get() > 0);
            // The ReplicaSet's part: the evicted pod goes, a replacement comes.
            client.pods().inNamespace(ns).withName("api-1").delete();
            client.pods().inNamespace(ns).resource(pod("api-3", healthy.port())).create();
        }
        for (int round = 0; round < 8; round++) {
            step(Duration.ofSeconds(15));
        }
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
    }

    private LeakPolicy policy(String ns) {
        return client.resources(LeakPolicy.class).inNamespace(ns).withName("api").get();
    }

    private Pod pod(String name, int port) {
        return Fixtures.scrapedPod(name, Map.of("app", "api"), port, clock.instant())
                .editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("api-rs").withUid("rs-uid").withController(true).endOwnerReference().endMetadata()
                .editStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
    }
}
