package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.ApiProxy;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import io.leakguard.e2e.harness.Timeline;
import org.junit.jupiter.api.Test;

/**
 * The operator is killed with SIGKILL at the most dangerous moment: the dump is stored and the
 * eviction intent is written to status (the API server has applied it), but the eviction has not been
 * sent. The operator's pod talks to the real API server through {@link ApiProxy}, which kills its
 * process right after the intent is applied and before the answer reaches it. The harness node restarts
 * the container in place, as a kubelet does, and the new operator process must finish the job: one
 * eviction, not two, and not none.
 */
class OperatorKilledMidRemediationE2E {

    @Test
    void aNewOperatorFinishesAnInterruptedRemediationWithExactlyOneEviction() throws Exception {
        String reason = KubeCluster.unavailableReason();
        KubeCluster.assumeRunnable("OperatorKilledMidRemediationE2E", reason);
        Path work = java.nio.file.Files.createTempDirectory("operator-killed-e2e");
        try (KubeCluster cluster = KubeCluster.start(work); ApiProxy proxy = ApiProxy.start(cluster.plane)) {
            cluster.plane.routePodsThrough(proxy.url);
            AtomicReference<Instant> killedAt = new AtomicReference<>();
            AtomicReference<String> killedPod = new AtomicReference<>();
            proxy.onAnswered(request -> {
                if ("PATCH".equals(request.method()) && request.path().contains("/leakpolicies/") && request.status() == 200
                        && request.body().contains("\"Evicting\"") && killedAt.get() == null) {
                    String pod = cluster.operatorPod().getMetadata().getName();
                    CgroupProcess operator = cluster.kubelet.process(KubeCluster.OPERATOR_NAMESPACE, pod);
                    killedAt.set(Instant.now());
                    killedPod.set(pod);
                    operator.kill();
                }
            });
            cluster.installOperator(Map.of(), Map.of());
            cluster.namespace("shop");
            cluster.leakyDeployment("shop", "checkout", 2, Workloads.LIMIT, Workloads.firstLeaksFlags());
            cluster.awaitReady("shop", "checkout", 2, Duration.ofMinutes(2));
            String leaking = cluster.runningPods("shop").get(0);
            Instant start = Instant.now();
            cluster.create(Workloads.policy("shop", "", "", "{}"));

            await().ignoreExceptions().atMost(Duration.ofMinutes(7)).pollInterval(Duration.ofSeconds(1)).until(() -> killedAt.get() != null);
            assertThat(cluster.evictions("shop")).as("the killed operator never sent the eviction").isEmpty();
            LeakPolicy interrupted = cluster.policy("shop", "checkout");
            assertThat(interrupted.getStatus().remediations).as("the intent it left")
                    .anySatisfy(r -> assertThat(r.result).isEqualTo("Evicting"));

            await().ignoreExceptions().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !cluster.kubelet.lives("shop").isEmpty());
            HarnessKubelet.Life life = cluster.kubelet.lives("shop").get(0);
            System.out.println(Timeline.of(leaking, start, cluster.operatorLogs())
                    .with("operator killed", killedAt.get()).with(life.ending().toString(), life.ended())
                    .render("operator killed mid-remediation"));
            assertThat(cluster.kubelet.lives(KubeCluster.OPERATOR_NAMESPACE)).as("the operator's container, killed once")
                    .singleElement().satisfies(l -> assertThat(l.pod()).isEqualTo(killedPod.get()));
            assertThat(life.pod()).isEqualTo(leaking);
            assertThat(life.ending()).isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<RemediationRecord> records = cluster.policy("shop", "checkout").getStatus().remediations;
                assertThat(records).as("the intent became one eviction")
                        .noneSatisfy(r -> assertThat(r.result).isEqualTo("Evicting"))
                        .filteredOn(r -> "Evicted".equals(r.result)).singleElement()
                        .satisfies(r -> {
                            assertThat(r.pod).isEqualTo(leaking);
                            assertThat(r.dump).as("the dump the killed operator took").startsWith("leakguard-dump-");
                        });
            });
            // Time for a double eviction to show, had there been one.
            Thread.sleep(15_000);
            assertThat(cluster.evictions("shop")).as("evicted exactly once").containsExactly(leaking);
        }
    }
}
