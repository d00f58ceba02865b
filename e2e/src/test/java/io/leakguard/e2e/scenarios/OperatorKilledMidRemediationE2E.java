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
import java.util.concurrent.atomic.AtomicReference;

import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.Cluster;
import io.leakguard.e2e.harness.OperatorProcess;
import io.leakguard.e2e.harness.Timeline;
import io.leakguard.e2e.harness.WorkloadSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator is killed with SIGKILL at the most dangerous moment: the dump is stored and the
 * eviction intent is written to status, but the eviction has not been sent. A new operator process
 * must finish the job: one eviction, not two, and not none.
 */
class OperatorKilledMidRemediationE2E {

    @TempDir
    Path work;

    @Test
    void aNewOperatorFinishesAnInterruptedRemediationWithExactlyOneEviction() throws Exception {
        String reason = Cluster.realProcessesUnavailable();
        if (reason != null) {
            System.err.println("OperatorKilledMidRemediationE2E skipped: " + reason);
        }
        assumeTrue(reason == null, "skipped: " + reason);
        try (Cluster cluster = Cluster.start(work);
                WorkloadSimulator workload = new WorkloadSimulator(cluster.client, cluster.dispatcher, "shop", "checkout",
                        Workloads.LIMIT, Workloads.firstLeaks(), Files.createDirectories(work.resolve("pods")))) {
            AtomicReference<OperatorProcess> first = new AtomicReference<>(cluster.startOperator("operator-1", Map.of()));
            AtomicReference<Instant> killedAt = new AtomicReference<>();
            // Once the intent is stored, and before the operator hears back (so before it can evict).
            cluster.dispatcher.onPatched((path, body) -> {
                if (path.contains("/leakpolicies/") && body.contains("\"Evicting\"") && killedAt.get() == null) {
                    killedAt.set(Instant.now());
                    try {
                        first.get().kill();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            Instant start = Instant.now();
            String leaking = workload.launch();
            workload.launch();
            cluster.create(Workloads.policy("shop", "", "", "{}"));

            await().ignoreExceptions().atMost(Duration.ofMinutes(7)).pollInterval(Duration.ofSeconds(1)).until(() -> killedAt.get() != null);
            assertThat(first.get().alive()).isFalse();
            assertThat(workload.evictions).as("the killed operator never sent the eviction").isEmpty();
            LeakPolicy interrupted = cluster.policy("shop", "checkout");
            assertThat(interrupted.getStatus().remediations).as("the intent it left")
                    .anySatisfy(r -> assertThat(r.result).isEqualTo("Evicting"));

            try (OperatorProcess second = cluster.startOperator("operator-2", Map.of())) {
                await().ignoreExceptions().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> !workload.lives.isEmpty());
                WorkloadSimulator.Life life = workload.lives.get(0);
                System.out.println(Timeline.of(leaking, start, List.of(first.get().log, second.log))
                        .with("operator killed", killedAt.get()).with(life.ending().toString(), life.ended())
                        .render("operator killed mid-remediation"));
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
                assertThat(workload.evictions).as("evicted exactly once").containsExactly(leaking);
            }
        }
    }
}
