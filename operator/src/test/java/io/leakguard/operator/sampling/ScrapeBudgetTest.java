package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.fairness.ByteBudget;
import io.leakguard.operator.fairness.TenantSlots;
import io.leakguard.operator.testing.FakeMetricsEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scrapes against a local endpoint, with the operator's byte budget for bodies in flight. */
class ScrapeBudgetTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final RuntimeProfile go = RuntimeProfile.of(Runtime.Go, null);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private static String bloated(int bytes) {
        StringBuilder body = new StringBuilder(FakeMetricsEndpoint.goMetrics(10, 1e6, 2e7));
        while (body.length() < bytes) {
            body.append("# padding a tenant's exporter serves\n");
        }
        return body.toString();
    }

    @Test
    void aNamespacesHugeBodiesAreDroppedAtItsShareAndTheBytesAreGivenBack() throws Exception {
        ByteBudget budget = new ByteBudget(4 << 20, 512 << 10);
        ScrapeClient client = new ScrapeClient(new TenantSlots(8, 8), budget, 4 << 20, executor);
        try (FakeMetricsEndpoint hostile = new FakeMetricsEndpoint(); FakeMetricsEndpoint quiet = new FakeMetricsEndpoint()) {
            hostile.answer(() -> FakeMetricsEndpoint.Answer.ok(bloated(2 << 20)));
            quiet.answer(() -> FakeMetricsEndpoint.Answer.ok(FakeMetricsEndpoint.goMetrics(10, 1e6, 2e7)));

            ScrapeResult dropped = client.scrape("hostile", URI.create("http://127.0.0.1:" + hostile.port() + "/metrics"),
                    Duration.ofSeconds(5), go).get();
            ScrapeResult fine = client.scrape("quiet", URI.create("http://127.0.0.1:" + quiet.port() + "/metrics"),
                    Duration.ofSeconds(5), go).get();

            assertThat(dropped.outcome()).isEqualTo("throttled");
            assertThat(dropped.error()).contains("namespace hostile").contains("share of the operator's memory");
            assertThat(fine.succeeded()).isTrue();
            assertThat(budget.inUse()).as("every reservation given back").isZero();
        }
    }

    @Test
    void aBodyWithinItsShareIsReadAndParsed() throws Exception {
        ByteBudget budget = new ByteBudget(4 << 20, 4 << 20);
        ScrapeClient client = new ScrapeClient(new TenantSlots(8, 8), budget, 4 << 20, executor);
        try (FakeMetricsEndpoint pod = new FakeMetricsEndpoint()) {
            pod.answer(() -> FakeMetricsEndpoint.Answer.ok(bloated(2 << 20)));
            ScrapeResult result = client.scrape("team", URI.create("http://127.0.0.1:" + pod.port() + "/metrics"),
                    Duration.ofSeconds(5), go).get();
            assertThat(result.succeeded()).as(String.valueOf(result.error())).isTrue();
            assertThat(budget.inUse()).isZero();
        }
    }
}
