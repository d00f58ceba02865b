package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.fairness.ByteBudget;
import io.leakguard.operator.fairness.TenantSlots;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.testing.FakeMetricsEndpoint;
import io.leakguard.operator.tracking.TrackedPod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A round reads its pods through the namespace's scrape slots: all of them, as slots free up, until its deadline. */
class ScrapeReaderTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private Map<String, ScrapeResult> read(FakeMetricsEndpoint endpoint, int pods, Duration interval) throws Exception {
        ScrapeReader reader = new ScrapeReader(new ScrapeClient(new TenantSlots(32, 8), new ByteBudget(96 << 20, 32 << 20),
                4 << 20, executor), new SimpleMeterRegistry());
        Policy policy = Policy.of(new LeakPolicySpec());
        List<TrackedPod> tracked = IntStream.range(0, pods).mapToObj(i -> new TrackedPod("shop", "pod-" + i, "uid-" + i,
                "127.0.0.1", "Running", "app", endpoint.port(), null, 160e6, "uid-" + i + "/0/", 0, "ReplicaSet/x")).toList();
        Round round = new Round(new ResourceID("checkout", "shop"), policy, tracked, RuntimeProfile.of(Runtime.Go, null),
                DetectorSettings.of(policy.detection(), interval), Duration.ofSeconds(1), System.currentTimeMillis());
        return reader.read(round).get();
    }

    @Test
    void aNamespaceWithFiveTimesItsSlotShareOfPodsIsReadWholeInOneRound() throws Exception {
        try (FakeMetricsEndpoint endpoint = new FakeMetricsEndpoint()) {
            endpoint.answer(() -> new FakeMetricsEndpoint.Answer(200,
                    FakeMetricsEndpoint.goMetrics(10, 1e6, 2e7).getBytes(), 20));
            Map<String, ScrapeResult> results = read(endpoint, 40, Duration.ofSeconds(15));
            assertThat(results).hasSize(40);
            assertThat(results.values()).allSatisfy(r -> assertThat(r.succeeded()).as(r.error()).isTrue());
        }
    }

    @Test
    void podsWhoseTurnDoesNotComeBeforeTheRoundsDeadlineAreThrottledNotLost() throws Exception {
        try (FakeMetricsEndpoint endpoint = new FakeMetricsEndpoint()) {
            // Every answer takes 900 ms; 8 slots and a 2 s round (3 s interval less the 1 s timeout).
            endpoint.answer(() -> new FakeMetricsEndpoint.Answer(200,
                    FakeMetricsEndpoint.goMetrics(10, 1e6, 2e7).getBytes(), 900));
            Map<String, ScrapeResult> results = read(endpoint, 40, Duration.ofSeconds(3));
            assertThat(results).as("every pod has a result for the round").hasSize(40);
            assertThat(results.values()).filteredOn(r -> "throttled".equals(r.outcome())).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.error()).contains("slots were busy until the round's deadline"));
        }
    }
}
