package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.MetricsSource;
import io.leakguard.api.v1alpha1.PrometheusSpec;
import io.leakguard.operator.testing.FakePrometheus;
import io.leakguard.operator.testing.Fixtures;
import io.leakguard.operator.testing.OperatorFlow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Prometheus mode: history is backfilled at once, and one query per round covers every pod of the policy. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class PrometheusModeTest extends OperatorFlow {

    private static final String NS = "prom";
    private static final double MIB = 1024 * 1024;

    FakePrometheus prometheus;

    @AfterEach
    void cleanUp() {
        clean(NS);
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void anOperatorStartingLateBackfillsTheTrendAndJudgesOnItsFirstRound() throws Exception {
        long origin = clock.millis() / 1000 - 3600;
        // Two pods whose heap has grown 600 MiB/h for the last hour, with a 1 GiB limit.
        prometheus = new FakePrometheus(NS, List.of("web-1", "web-2"), Map.of(
                "go_goroutines", t -> 50,
                "go_memstats_heap_inuse_bytes", t -> 200 * MIB + (t - origin) / 3600.0 * 600 * MIB + (Math.round(t) % 60) * 0.1 * MIB,
                "process_resident_memory_bytes", t -> 300 * MIB + (t - origin) / 3600.0 * 600 * MIB));
        for (String name : List.of("web-1", "web-2")) {
            client.pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName(name).withLabels(Map.of("app", "web")).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("example/web:1")
                    .withNewResources().addToLimits("memory", new Quantity("1Gi")).endResources()
                    .endContainer().endSpec()
                    .withNewStatus().withPhase("Running").withPodIP("10.1.1.1")
                    .withStartTime(java.time.Instant.ofEpochSecond(origin - 900).toString()).endStatus()
                    .build()).create();
        }
        LeakPolicy policy = Fixtures.goPolicy(NS, "web", Map.of("app", "web"));
        policy.getSpec().metrics.source = MetricsSource.Prometheus;
        policy.getSpec().metrics.prometheus = new PrometheusSpec();
        policy.getSpec().metrics.prometheus.url = prometheus.url();
        policy.getSpec().detection.maxThreadGrowthPerHour = 100000;
        client.resource(policy).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> status().pods != null && status().pods.matched == 2);
        prometheus.requests.clear();

        step(Duration.ofSeconds(15));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(status().pods.leaking).as("judged Leaking on the first round, from backfilled history: %s",
                    status().atRisk.stream().map(r -> r.pod + " " + r.verdict + " " + r.reason).toList()).isEqualTo(2);
            assertThat(status().atRisk).extracting(r -> r.pod).containsExactly("web-1", "web-2");
        });
        assertThat(prometheus.requests).as("one range query to backfill, one instant query for both pods")
                .hasSize(2)
                .anySatisfy(r -> assertThat(r).startsWith("/api/v1/query_range?"))
                .anySatisfy(r -> assertThat(r).startsWith("/api/v1/query?"));

        prometheus.requests.clear();
        step(Duration.ofSeconds(15));
        assertThat(prometheus.requests).as("no second backfill").singleElement().asString().startsWith("/api/v1/query?");
    }

    @Test
    void anUnreachablePrometheusGivesInsufficientDataNeverLeaking() {
        client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName("down-1").withLabels(Map.of("app", "down")).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/web:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.1.1.1").endStatus().build()).create();
        LeakPolicy policy = Fixtures.goPolicy(NS, "down", Map.of("app", "down"));
        policy.getSpec().metrics.source = MetricsSource.Prometheus;
        policy.getSpec().metrics.prometheus = new PrometheusSpec();
        policy.getSpec().metrics.prometheus.url = "http://127.0.0.1:9";
        client.resource(policy).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> status("down").pods != null && status("down").pods.matched == 1);

        step(Duration.ofSeconds(15));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(status("down").pods.insufficientData).isEqualTo(1);
            assertThat(status("down").atRisk.get(0).reason).contains("Prometheus at 127.0.0.1");
        });
    }

    private io.leakguard.api.v1alpha1.LeakPolicyStatus status() {
        return status("web");
    }

    private io.leakguard.api.v1alpha1.LeakPolicyStatus status(String name) {
        return status(NS, name);
    }
}
