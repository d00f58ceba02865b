package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.Cluster;
import io.leakguard.e2e.harness.DebianServer;
import io.leakguard.e2e.harness.OperatorProcess;
import io.leakguard.e2e.harness.Timeline;
import io.leakguard.e2e.harness.WorkloadSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same goroutine leak caught through a real Prometheus (Debian's), which scrapes the pods'
 * processes; the operator reads only Prometheus, never the pods' metrics.
 */
class PrometheusModeE2E {

    @TempDir
    Path work;

    @Test
    void aLeakSeenThroughPrometheusIsDumpedAndRestartedGracefully() throws Exception {
        String reason = Cluster.realProcessesUnavailable();
        if (reason == null) {
            reason = DebianServer.unavailableReason(Path.of("/usr/bin/prometheus"), "prometheus", "LEAKGUARD_REQUIRE_PROMETHEUS");
        }
        if (reason != null) {
            System.err.println("PrometheusModeE2E skipped: " + reason);
        }
        assumeTrue(reason == null, "skipped: " + reason);
        Path targets = work.resolve("targets");
        try (Cluster cluster = Cluster.start(work);
                DebianServer prometheus = DebianServer.prometheus(work.resolve("prometheus"), targets);
                WorkloadSimulator workload = new WorkloadSimulator(cluster.client, cluster.dispatcher, "shop", "checkout",
                        Workloads.LIMIT, Workloads.firstLeaks(), Files.createDirectories(work.resolve("pods")))
                        .withPrometheusTargets(targets);
                OperatorProcess operator = cluster.startOperator("operator", Map.of())) {
            Instant start = Instant.now();
            String leaking = workload.launch();
            workload.launch();
            cluster.create(Workloads.policy("shop", "source: Prometheus, prometheus: {url: '" + prometheus.url + "'}", "", "{}"));

            await().ignoreExceptions().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2)).until(() -> !workload.lives.isEmpty());
            WorkloadSimulator.Life life = workload.lives.get(0);
            System.out.println(Timeline.of(leaking, start, List.of(operator.log)).with(life.ending().toString(), life.ended())
                    .render("Prometheus mode"));
            assertThat(life.pod()).isEqualTo(leaking);
            assertThat(life.ending()).as("operator log:\n%s", Files.readString(operator.log))
                    .isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                LeakPolicy policy = cluster.policy("shop", "checkout");
                RemediationRecord evicted = policy.getStatus().remediations.stream()
                        .filter(r -> "Evicted".equals(r.result)).findFirst().orElseThrow();
                assertThat(evicted.pod).isEqualTo(leaking);
                ConfigMap dump = cluster.client.configMaps().inNamespace("shop").withName(evicted.dump).get();
                assertThat(dump.getData().get("report.txt")).contains("main.worker");
            });
            assertThat(workload.evictions).containsExactly(leaking);
        }
    }
}
