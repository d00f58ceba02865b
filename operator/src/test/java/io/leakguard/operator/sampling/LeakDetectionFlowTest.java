package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.PodCounts;
import io.leakguard.operator.testing.FakeMetricsEndpoint.Answer;
import io.leakguard.operator.testing.FakeMetricsEndpoint;
import io.leakguard.operator.testing.Fixtures;
import io.leakguard.operator.testing.OperatorFlow;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pod's metrics endpoint on loopback, scraped by the real sampling loop while the test moves the
 * operator's clock forward one interval at a time: what the policy's status says as the trend grows.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class LeakDetectionFlowTest extends OperatorFlow {

    private static final String NS = "flow";
    private static final double MIB = 1024 * 1024;

    @Inject
    MeterRegistry meters;

    FakeMetricsEndpoint endpoint;

    @BeforeEach
    void startEndpoint() throws Exception {
        endpoint = new FakeMetricsEndpoint();
    }

    @AfterEach
    void cleanUp() {
        clean(NS);
        endpoint.close();
    }

    @Test
    void risingHeapTroughTurnsThePodSuspectThenLeakingInStatus() {
        risingHeap();
        createPodAndPolicy();

        List<String> seen = new ArrayList<>();
        for (int round = 0; round < 400 && !seen.contains("Leaking"); round++) {
            step();
            PodCounts pods = status().pods;
            String state = pods.leaking == 1 ? "Leaking" : pods.suspect == 1 ? "Suspect"
                    : pods.insufficientData == 1 ? "InsufficientData" : "Healthy";
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(state)) {
                seen.add(state);
            }
        }

        // Until a trend is significant the pod reads InsufficientData, then Healthy; once Suspect it only gets worse.
        assertThat(seen).as("verdicts in the order status showed them").containsSubsequence("InsufficientData",
                "Suspect", "Leaking");
        assertThat(seen.subList(seen.indexOf("Suspect"), seen.size())).containsExactly("Suspect", "Leaking");
        var risk = status().atRisk.get(0);
        assertThat(risk.pod).isEqualTo("api-1");
        assertThat(risk.verdict).isEqualTo("Leaking");
        assertThat(risk.heapBytesPerHour).isBetween(400 * MIB, 560 * MIB);
        assertThat(risk.projectedOomIn).isNotNull();
        assertThat(risk.reason).contains("heap baseline").contains("projected OOM kill at the memory limit in");
    }

    /**
     * Two teams' policies on one pod, one with a 30-minute window and one with 6 hours: their series have
     * different bucket widths. Sharing one history, each round reset the other's, and neither policy ever
     * got past InsufficientData; each keeps its own now.
     */
    @Test
    void twoPoliciesWithDifferentWindowsOnOnePodEachKeepTheirOwnHistory() {
        risingHeap();
        createPodAndPolicy();
        LeakPolicy wide = Fixtures.quickGoPolicy(NS, "wide", Map.of("app", "api"), "1h");
        wide.getSpec().detection.window = "6h";
        wide.getSpec().metrics.timeout = "1s";
        client.resource(wide).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> status("wide").pods.matched == 1);

        for (int round = 0; round < 400 && (status().pods.leaking == 0 || status("wide").pods.insufficientData > 0); round++) {
            step();
        }
        assertThat(status().pods.leaking).as("the 30-minute policy, sharing its pod with a 6-hour one").isEqualTo(1);
        assertThat(status("wide").pods.insufficientData).as("the 6-hour policy judges its own series too").isZero();
    }

    @Test
    void anEndpointAnswering500GivesInsufficientDataAndAnErrorMetric() {
        endpoint.answer(() -> new Answer(500, "boom".getBytes(), 0));
        assertBadEndpointIsInsufficientData("http_error", "HTTP 500");
    }

    @Test
    void garbageGivesInsufficientDataAndAnErrorMetric() {
        endpoint.answer(() -> Answer.ok("\u0000\u0001 not { metrics at all\n{{{{\n"));
        assertBadEndpointIsInsufficientData("unparsable", "malformed lines");
    }

    @Test
    void aFiftyMegabyteBodyIsAbandonedAndGivesInsufficientData() {
        byte[] huge = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) '#');
        endpoint.answer(() -> new Answer(200, huge, 0));
        assertBadEndpointIsInsufficientData("too_large", "larger than");
    }

    @Test
    void aSlowEndpointTimesOutAndGivesInsufficientData() {
        endpoint.answer(() -> new Answer(200, FakeMetricsEndpoint.goMetrics(1, 1, 1).getBytes(), 3000));
        assertBadEndpointIsInsufficientData("timeout", "no answer within 1000ms");
    }

    private void assertBadEndpointIsInsufficientData(String outcome, String reason) {
        double before = scrapeCount(outcome);
        createPodAndPolicy();
        for (int round = 0; round < 3; round++) {
            step();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(status().pods.insufficientData).isEqualTo(1);
            assertThat(status().pods.leaking).isZero();
            assertThat(status().atRisk.get(0).reason).contains(reason);
        });
        assertThat(scrapeCount(outcome)).isGreaterThan(before);
    }

    private double scrapeCount(String outcome) {
        var counter = meters.find("leakguard.scrapes").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * A heap whose trough rises 2 MiB per 15-second interval under a sawtooth, as a function of the
     * operator's clock, so that every scraper (two policies on one pod) sees the same pod.
     */
    private void risingHeap() {
        long start = clock.millis();
        endpoint.answer(() -> {
            long n = (clock.millis() - start) / 15_000;
            double heap = 100 * MIB + n * 2 * MIB + (n % 4) * 6 * MIB;
            return Answer.ok(FakeMetricsEndpoint.goMetrics(30, heap, heap + 40 * MIB));
        });
    }

    private void step() {
        step(Duration.ofSeconds(15));
    }

    private io.leakguard.api.v1alpha1.LeakPolicyStatus status() {
        return status("api");
    }

    private io.leakguard.api.v1alpha1.LeakPolicyStatus status(String name) {
        return status(NS, name);
    }

    private void createPodAndPolicy() {
        client.pods().inNamespace(NS).resource(
                Fixtures.scrapedPod("api-1", Map.of("app", "api"), endpoint.port(), clock.instant()).build()).create();
        LeakPolicy policy = Fixtures.quickGoPolicy(NS, "api", Map.of("app", "api"), "1h");
        policy.getSpec().metrics.timeout = "1s";
        client.resource(policy).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> status().pods.matched == 1);
    }
}
