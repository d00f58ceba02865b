package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.DebianServer;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import io.leakguard.e2e.harness.Timeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same goroutine leak, on the real control plane, caught through a real Prometheus (Debian's) that
 * scrapes the pods at their pod IPs, found from the API server's pods (file-based discovery, since
 * Debian's Prometheus is built without Kubernetes discovery); the operator, installed by Helm, reads
 * only Prometheus, never the pods' metrics.
 */
class PrometheusModeE2E {

    @TempDir
    Path work;

    @Test
    void aLeakSeenThroughPrometheusIsDumpedAndRestartedGracefully() throws Exception {
        String reason = KubeCluster.unavailableReason();
        if (reason == null) {
            reason = DebianServer.unavailableReason(Path.of("/usr/bin/prometheus"), "prometheus", "LEAKGUARD_REQUIRE_PROMETHEUS");
        }
        KubeCluster.assumeRunnable("PrometheusModeE2E", reason);
        try (KubeCluster cluster = KubeCluster.start(work);
                DebianServer prometheus = DebianServer.prometheus(work.resolve("prometheus"), work.resolve("targets"))) {
            cluster.prometheusTargets(work.resolve("targets"));
            cluster.installOperator(Map.of(), Map.of());
            cluster.namespace("shop");
            cluster.leakyDeployment("shop", "checkout", 2, Workloads.LIMIT, Workloads.firstLeaksFlags());
            cluster.awaitReady("shop", "checkout", 2, Duration.ofMinutes(2));
            String leaking = cluster.runningPods("shop").get(0);
            Instant start = Instant.now();
            cluster.create(Workloads.policy("shop", "source: Prometheus, prometheus: {url: '" + prometheus.url + "'}", "", "{}"));

            await().ignoreExceptions().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> !cluster.kubelet.lives("shop").isEmpty());
            HarnessKubelet.Life life = cluster.kubelet.lives("shop").get(0);
            System.out.println(Timeline.of(leaking, start, cluster.operatorLogs()).with(life.ending().toString(), life.ended())
                    .render("Prometheus mode"));
            assertThat(life.pod()).isEqualTo(leaking);
            assertThat(life.ending()).as("operator log:\n%s", cluster.operatorLog())
                    .isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                LeakPolicy policy = cluster.policy("shop", "checkout");
                RemediationRecord evicted = policy.getStatus().remediations.stream()
                        .filter(r -> "Evicted".equals(r.result)).findFirst().orElseThrow();
                assertThat(evicted.pod).isEqualTo(leaking);
                ConfigMap dump = cluster.client.configMaps().inNamespace("shop").withName(evicted.dump).get();
                assertThat(dump.getData().get("report.txt")).contains("main.worker");
            });
            assertThat(cluster.evictions("shop")).containsExactly(leaking);
            assertThat(cluster.operatorForbidden()).as("requests of the operator the chart's RBAC refused").isEmpty();
        }
    }
}
