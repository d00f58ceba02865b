package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.DebianServer;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import io.leakguard.e2e.harness.SlackReceiver;
import io.leakguard.e2e.harness.Timeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Scrape mode, end to end, on a real control plane: the chart installed by Helm, the operator running as
 * its Deployment's pod under the chart's ServiceAccount and RBAC, and in each namespace a Deployment of
 * two replicas of a real Go workload, whose processes the harness node runs in memory cgroups the kernel
 * enforces. Evictions go through the real Eviction API, PodDisruptionBudgets through the real disruption
 * controller, replacements through the real ReplicaSet controller and scheduler. The workloads all start
 * together, so the scenarios run side by side and each test waits for its own outcome:
 * <ul>
 * <li>{@code leak}: a goroutine leak, dumped and restarted gracefully before the kernel kills it,
 * with Slack and Alertmanager told, and the alert resolved;</li>
 * <li>{@code control}: the same leak under {@code action: None}, which the kernel OOM-kills;</li>
 * <li>{@code healthy}: a healthy sawtooth, never judged Leaking;</li>
 * <li>{@code dryrun}: the leak with {@code dryRun: true}, "would restart" and no eviction;</li>
 * <li>{@code pdb}: the leak under a PodDisruptionBudget that forbids the eviction until it is
 * relaxed.</li>
 * </ul>
 * Over all of it, no request of the operator is refused by the authorizer: the chart's RBAC is enough.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
class ScrapeModeE2E {

    private static final List<String> NAMESPACES = List.of("leak", "control", "healthy", "dryrun", "pdb");

    private KubeCluster cluster;
    private SlackReceiver slack;
    private DebianServer alertmanager;
    private final Map<String, String> leakingPod = new LinkedHashMap<>();
    private final List<String> timelines = new ArrayList<>();
    private Instant start;

    @BeforeAll
    void startEverything() throws Exception {
        String reason = KubeCluster.unavailableReason();
        if (reason == null) {
            reason = DebianServer.unavailableReason(Path.of("/usr/bin/prometheus-alertmanager"), "prometheus-alertmanager",
                    "LEAKGUARD_REQUIRE_ALERTMANAGER");
        }
        KubeCluster.assumeRunnable("ScrapeModeE2E", reason);
        Path work = Files.createTempDirectory("scrape-mode-e2e");
        cluster = KubeCluster.start(work);
        slack = new SlackReceiver();
        alertmanager = DebianServer.alertmanager(work.resolve("alertmanager"), slack.url("/slack/alertmanager"));
        cluster.installOperator(Map.of(), Map.of());
        for (String ns : NAMESPACES) {
            cluster.namespace(ns);
            cluster.slackSecret(ns, "slack", slack.url("/slack/" + ns));
        }
        cluster.create("""
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: checkout, namespace: pdb}
                spec:
                  minAvailable: 2
                  selector: {matchLabels: {app: checkout}}
                """);
        for (String ns : NAMESPACES) {
            cluster.leakyDeployment(ns, "checkout", 2, Workloads.LIMIT, ns.equals("healthy") ? Workloads.allHealthyFlags()
                    : Workloads.firstLeaksFlags());
        }
        for (String ns : NAMESPACES) {
            cluster.awaitReady(ns, "checkout", 2, Duration.ofMinutes(2));
            leakingPod.put(ns, cluster.runningPods(ns).get(0));
        }
        start = Instant.now();
        String alerting = "{slack: {webhookSecretRef: {name: slack, key: url}}, alertmanager: {urls: ['" + alertmanager.url + "']}}";
        cluster.create(Workloads.policy("leak", "", "", alerting));
        cluster.create(Workloads.policy("control", "", "action: None", alerting));
        cluster.create(Workloads.policy("healthy", "", "", alerting));
        cluster.create(Workloads.policy("dryrun", "", "dryRun: true", alerting));
        cluster.create(Workloads.policy("pdb", "", "", alerting));
    }

    @AfterAll
    void stopEverything() throws Exception {
        timelines.forEach(System.out::println);
        if (alertmanager != null) {
            alertmanager.close();
        }
        if (slack != null) {
            slack.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private String operatorLog() throws Exception {
        return cluster.operatorLog();
    }

    private void timeline(String ns, String title, HarnessKubelet.Life life) throws Exception {
        Timeline timeline = Timeline.of(leakingPod.get(ns), start, cluster.operatorLogs());
        if (life != null) {
            timeline.with(life.ending().toString(), life.ended());
        }
        timelines.add(timeline.render(title));
    }

    private HarnessKubelet.Life firstLife(String ns, Duration within) {
        await().ignoreExceptions().atMost(within).pollInterval(Duration.ofSeconds(2)).until(() -> !cluster.kubelet.lives(ns).isEmpty());
        return cluster.kubelet.lives(ns).get(0);
    }

    @Test
    void aGoroutineLeakIsDumpedAndRestartedGracefullyBeforeTheKernelKillsItAndTheAlertResolves() throws Exception {
        String leaking = leakingPod.get("leak");
        HarnessKubelet.Life first = firstLife("leak", Duration.ofMinutes(8));
        timeline("leak", "leak", first);

        assertThat(first.pod()).isEqualTo(leaking);
        assertThat(first.ending()).as("how the leaking pod ended; operator log:\n%s", operatorLog())
                .isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
        // The alerts stay firing for 2 minutes after the restart (so that Alertmanager notifies them), then resolve.
        await().ignoreExceptions().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            LeakPolicy policy = cluster.policy("leak", "checkout");
            RemediationRecord evicted = policy.getStatus().remediations.stream()
                    .filter(r -> "Evicted".equals(r.result)).findFirst().orElseThrow();
            assertThat(evicted.pod).isEqualTo(leaking);
            assertThat(policy.getStatus().restarts).isEqualTo(1);
            ConfigMap dump = cluster.client.configMaps().inNamespace("leak").withName(evicted.dump).get();
            assertThat(dump.getData().get("report.txt")).as("the dump's report names the leaking function first")
                    .contains("main.worker").contains("chan send")
                    .as("and the Go runtime's own leak profile proves the leak")
                    .contains("goroutines proven leaked");
            assertThat(policy.getStatus().pods.matched).as("the replacement is tracked").isEqualTo(2);
            assertThat(policy.getStatus().pods.leaking).as("the replacement starts from zero").isZero();
            assertThat(cluster.events("leak")).extracting(e -> e.getReason())
                    .contains("DumpCollected", "Evicted");

            assertThat(slack.at("/slack/leak")).as("the operator's own Slack message")
                    .anySatisfy(m -> assertThat(m.text()).contains("restarted leak/" + leaking).contains(evicted.dump));
            assertThat(slack.at("/slack/alertmanager")).as("Alertmanager's Slack message, firing then resolved")
                    .anySatisfy(m -> assertThat(m.text()).contains("FIRING").contains("LeakGuardPodRestarted")
                            .contains(leaking))
                    .anySatisfy(m -> assertThat(m.text()).contains("RESOLVED").contains("LeakGuardPodRestarted")
                            .contains(leaking));
        });
        assertThat(cluster.evictions("leak")).as("evicted once, only the leaking pod").containsExactly(leaking);
        assertThat(cluster.operatorForbidden()).as("requests of the operator the chart's RBAC refused").isEmpty();
    }

    /**
     * Least privilege, checked against the real authorizer's audit log: every verb the chart grants is one the
     * operator called in this run, except the few whose paths this run does not take, each named with why.
     */
    @Test
    void theChartGrantsNoVerbTheOperatorDoesNotCall() throws Exception {
        await().ignoreExceptions().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(5))
                .until(() -> !cluster.evictions("leak").isEmpty() && cluster.operatorCalls().contains(" events create"));
        java.util.Set<String> notCalledHere = java.util.Set.of(
                " configmaps delete", // retention, once a policy holds more dumps than spec.diagnostics.retain
                "leakguard.io leakpolicies get"); // the finalizer patch's re-read after a conflict
        java.util.Set<String> unused = new java.util.TreeSet<>(cluster.operatorGrants());
        unused.removeAll(cluster.operatorCalls());
        assertThat(unused).as("granted but never called (operator calls: %s)", cluster.operatorCalls())
                .isSubsetOf(notCalledHere);
        assertThat(cluster.operatorForbidden()).as("called but not granted").isEmpty();
    }

    @Test
    void withoutRemediationTheKernelOomKillsTheSameLeakAndTheKubeletRestartsItInPlace() throws Exception {
        String leaking = leakingPod.get("control");
        HarnessKubelet.Life first = firstLife("control", Duration.ofMinutes(12));
        timeline("control", "control (action: None)", first);

        assertThat(first.pod()).isEqualTo(leaking);
        assertThat(first.ending()).as("the limit is real: the kernel kills the leak").isEqualTo(CgroupProcess.Ending.OomKilled);
        assertThat(cluster.evictions("control")).isEmpty();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Pod pod = cluster.client.pods().inNamespace("control").withName(leaking).get();
            assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount()).isEqualTo(1);
            assertThat(pod.getStatus().getContainerStatuses().get(0).getLastState().getTerminated().getReason())
                    .isEqualTo("OOMKilled");
            assertThat(cluster.policy("control", "checkout").getStatus().remediations)
                    .as("LeakGuard found it and said why it did not act")
                    .anySatisfy(r -> assertThat(r.result).isEqualTo("AlertOnly"));
            assertThat(slack.at("/slack/control"))
                    .anySatisfy(m -> assertThat(m.text()).contains("leaking but did not restart it"));
        });
    }

    @Test
    void aHealthySawtoothIsNeverJudgedLeakingNorEvictedNorAlerted() throws Exception {
        // As long as the leak scenarios take to be caught, and then some.
        Instant until = start.plus(Duration.ofMinutes(6));
        while (Instant.now().isBefore(until)) {
            LeakPolicy policy = cluster.policy("healthy", "checkout");
            if (policy.getStatus() != null && policy.getStatus().pods != null) {
                assertThat(policy.getStatus().pods.leaking).as("status of the healthy policy").isZero();
            }
            Thread.sleep(2000);
        }
        LeakPolicy policy = cluster.policy("healthy", "checkout");
        assertThat(policy.getStatus().pods.matched).isEqualTo(2);
        assertThat(operatorLog().lines().filter(l -> l.contains("namespace=healthy") && l.contains("to=Leaking")))
                .as("Leaking verdicts in the healthy namespace").isEmpty();
        assertThat(cluster.evictions("healthy")).isEmpty();
        assertThat(cluster.kubelet.lives("healthy")).as("no pod ended").isEmpty();
        assertThat(slack.at("/slack/healthy")).isEmpty();
        assertThat(slack.at("/slack/alertmanager")).noneSatisfy(m -> assertThat(m.text()).contains("healthy"));
    }

    @Test
    void aDryRunAlertsThatItWouldRestartAndEvictsNothing() throws Exception {
        String leaking = leakingPod.get("dryrun");
        await().ignoreExceptions().atMost(Duration.ofMinutes(7)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(cluster.policy("dryrun", "checkout").getStatus().remediations)
                    .anySatisfy(r -> {
                        assertThat(r.result).isEqualTo("DryRun");
                        assertThat(r.pod).isEqualTo(leaking);
                        assertThat(r.reason).contains("would restart");
                    });
            assertThat(slack.at("/slack/dryrun")).anySatisfy(m -> assertThat(m.text())
                    .contains("would restart dryrun/" + leaking));
        });
        timeline("dryrun", "dry run", null);
        Thread.sleep(20_000);
        assertThat(cluster.evictions("dryrun")).as("a dry run evicts nothing").isEmpty();
        assertThat(cluster.kubelet.lives("dryrun")).as("the pod still runs").isEmpty();
        assertThat(cluster.policy("dryrun", "checkout").getStatus().restarts).isZero();
    }

    @Test
    void aDisruptionBudgetHoldsTheEvictionBackUntilItAllowsIt() throws Exception {
        String leaking = leakingPod.get("pdb");
        await().ignoreExceptions().atMost(Duration.ofMinutes(7)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(cluster.policy("pdb", "checkout").getStatus().remediations)
                    .anySatisfy(r -> {
                        assertThat(r.result).isEqualTo("BlockedByPdb");
                        assertThat(r.reason).contains("PodDisruptionBudget");
                    });
            assertThat(cluster.events("pdb")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("EvictionBlocked");
                assertThat(e.getMessage()).contains("PodDisruptionBudget");
            });
        });
        Instant blocked = Instant.now();
        Thread.sleep(10_000);
        assertThat(cluster.evictions("pdb")).as("nothing evicted while the budget forbids it").isEmpty();
        assertThat(cluster.plane.requests()).as("the API server's Eviction API refused with 429")
                .anySatisfy(r -> {
                    assertThat(r.subresource()).isEqualTo("eviction");
                    assertThat(r.name()).isEqualTo(leaking);
                    assertThat(r.code()).isEqualTo(429);
                });

        cluster.client.resources(PodDisruptionBudget.class).inNamespace("pdb").withName("checkout")
                .edit(pdb -> {
                    pdb.getSpec().setMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(1));
                    return pdb;
                });
        HarnessKubelet.Life first = firstLife("pdb", Duration.ofMinutes(2));
        timeline("pdb", "PDB (relaxed " + Duration.between(start, blocked).toSeconds() + " s + 10 s)", first);
        assertThat(first.pod()).isEqualTo(leaking);
        assertThat(first.ending()).isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
        assertThat(cluster.evictions("pdb")).containsExactly(leaking);
    }
}
