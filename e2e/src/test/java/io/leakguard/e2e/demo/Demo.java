package io.leakguard.e2e.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.PodRisk;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.DebianServer;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import io.leakguard.e2e.harness.SlackReceiver;
import io.leakguard.e2e.harness.Timeline;

/**
 * {@code ./mvnw -Pdemo -DskipTests verify}: a real control plane built from source, LeakGuard installed
 * by Helm, a Go service (a Deployment) with one leaking pod and one healthy pod, a healthy second
 * service, Alertmanager when it is installed. It prints what happens as it happens, then a summary, and
 * exits by itself.
 */
public final class Demo {

    private static final long LIMIT = 160L * 1024 * 1024;
    private static final Duration MAX = Duration.ofMinutes(9);

    private final Instant start = Instant.now();
    private Instant leakStart;
    private final List<String> summary = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String reason = KubeCluster.unavailableReason();
        if (reason != null) {
            System.err.println("The demo runs each pod as a real process under a real memory limit, and cannot here: "
                    + reason + ".\nRun e2e/demo-prepare.sh: it checks what the demo needs (cgroup v1 as root, or cgroup v2"
                    + " as root, in a delegated subtree or through a systemd user session; Go 1.26 or newer; openssl)"
                    + " and says what is missing.");
            System.exit(2);
        }
        System.exit(new Demo().run() ? 0 : 1);
    }

    private String clock() {
        long s = Duration.between(start, Instant.now()).toSeconds();
        return String.format("%d:%02d", s / 60, s % 60);
    }

    private void say(String what) {
        System.out.println(clock() + "  " + what);
    }

    private boolean run() throws Exception {
        Path work = Files.createTempDirectory("leakguard-demo");
        System.out.println("""
                LeakGuard demo: a Go service "checkout" has two pods; the first leaks 30 goroutines a second, each
                holding 8 KiB, under a 160 MiB memory limit the kernel enforces. A second service, "catalog", is
                healthy. LeakGuard, installed by Helm into a real API server, watches both with a 5-minute window and
                2-second samples. Only the kubelet is simulated: each pod is a local process in a memory cgroup.
                Files (operator log, pod logs) are kept in %s
                """.formatted(work));
        String alertmanagerMissing = DebianServer.unavailableReason(Path.of("/usr/bin/prometheus-alertmanager"),
                "prometheus-alertmanager", "LEAKGUARD_REQUIRE_ALERTMANAGER");
        say("starting the control plane (etcd, kube-apiserver, controller-manager, scheduler; the first run builds them"
                + " from source, about 8 minutes on 2 cores)");
        try (KubeCluster cluster = KubeCluster.start(work);
                SlackReceiver slack = new SlackReceiver();
                DebianServer alertmanager = alertmanagerMissing == null
                        ? DebianServer.alertmanager(work.resolve("alertmanager"), slack.url("/alertmanager")) : null) {
            if (alertmanagerMissing != null) {
                say("Alertmanager is not installed, so only the Slack path is shown (" + alertmanagerMissing + ")");
            }
            say("control plane ready at " + cluster.plane.url + "; helm install leakguard helm/leakguard");
            cluster.installOperator(Map.of(), Map.of());
            say("operator running as pod " + cluster.operatorPod().getMetadata().getName() + " under its ServiceAccount");
            cluster.namespace("shop");
            cluster.slackSecret("shop", "slack", slack.url("/slack"));
            cluster.leakyDeployment("shop", "checkout", 2, LIMIT, i -> i == 0
                    ? List.of("-leak-goroutines-per-second", "30", "-leak-bytes-per-goroutine", "8192")
                    : List.of("-garbage-kib-per-second", "2000"));
            cluster.leakyDeployment("shop", "catalog", 1, LIMIT, i -> List.of("-garbage-kib-per-second", "3000"));
            cluster.awaitReady("shop", "checkout", 2, Duration.ofMinutes(2));
            cluster.awaitReady("shop", "catalog", 1, Duration.ofMinutes(2));
            leakStart = Instant.now();
            String leaking = podsOf(cluster, "checkout").get(0);
            say("pods running: " + leaking + " (leaking), " + podsOf(cluster, "checkout").get(1) + " and "
                    + podsOf(cluster, "catalog").get(0) + " (healthy)");
            cluster.create("""
                    apiVersion: leakguard.io/v1alpha1
                    kind: LeakPolicy
                    metadata: {name: shop, namespace: shop}
                    spec:
                      selector: {matchExpressions: [{key: app, operator: In, values: [checkout, catalog]}]}
                      runtime: Go
                      metrics: {interval: 2s, timeout: 1s}
                      detection: {window: 5m, horizon: 2m, minSamples: 10, warmup: 0s}
                      remediation: {cooldown: 1m, maxPerHour: 10}
                      alerting:
                        slack: {webhookSecretRef: {name: slack, key: url}}
                    %s""".formatted(alertmanager == null ? "" : "    alertmanager: {urls: ['" + alertmanager.url + "']}\n"));
            say("LeakPolicy shop/shop applied");
            return watch(cluster, slack, leaking, alertmanager != null);
        }
    }

    /** The running pods of an app, in the order the node started them. */
    private static List<String> podsOf(KubeCluster cluster, String app) {
        return cluster.runningPods("shop").stream().filter(p -> p.startsWith(app + "-")).toList();
    }

    private boolean watch(KubeCluster cluster, SlackReceiver slack, String leaking, boolean alertmanager) throws Exception {
        Map<Path, Integer> logLines = new LinkedHashMap<>();
        int messages = 0;
        int lives = 0;
        Instant lastTable = Instant.MIN;
        Instant done = null;
        Map<String, String> verdicts = new LinkedHashMap<>();
        while (Duration.between(start, Instant.now()).compareTo(MAX) < 0) {
            for (Path file : cluster.operatorLogs()) {
                List<String> log = Files.readAllLines(file);
                int seen = logLines.getOrDefault(file, 0);
                for (String line : log.subList(Math.min(seen, log.size()), log.size())) {
                    if (line.contains("verdict changed")) {
                        verdicts.put(Timeline.field(line, "pod"), Timeline.field(line, "to"));
                    }
                    String shown = interesting(line);
                    if (shown != null) {
                        say(shown);
                    }
                }
                logLines.put(file, log.size());
            }
            for (SlackReceiver.Message m : slack.messages.subList(messages, slack.messages.size())) {
                say((m.path().equals("/slack") ? "Slack message from LeakGuard: " : "Slack message from Alertmanager: ")
                        + headline(m));
            }
            messages = slack.messages.size();
            List<HarnessKubelet.Life> ended = cluster.kubelet.lives("shop");
            for (HarnessKubelet.Life life : ended.subList(lives, ended.size())) {
                say("pod " + life.pod() + " ended: " + life.ending() + " after "
                        + Duration.between(life.started(), life.ended()).toSeconds() + " s; the ReplicaSet controller creates a"
                        + " replacement");
            }
            lives = ended.size();
            if (Duration.between(lastTable, Instant.now()).toSeconds() >= 20) {
                lastTable = Instant.now();
                table(cluster, verdicts);
            }
            // Done once the leaking pod has ended and, with Alertmanager, the restart alert came through it.
            if (done == null && !ended.isEmpty() && (!alertmanager || slack.messages.stream()
                    .anyMatch(m -> m.path().equals("/alertmanager") && m.text().contains("LeakGuardPodRestarted")))) {
                done = Instant.now();
            }
            if (done != null && Duration.between(done, Instant.now()).toSeconds() >= 10) {
                break;
            }
            Thread.sleep(1000);
        }
        return summarize(cluster, leaking, slack);
    }

    private static String interesting(String line) {
        int at = line.indexOf(") ");
        String message = at < 0 ? line : line.substring(at + 2);
        if (line.contains("verdict changed")) {
            return "verdict " + Timeline.field(message, "pod") + ": " + Timeline.field(message, "from").replace("null", "new")
                    + " -> " + Timeline.field(message, "to")
                    + " (" + message.substring(message.indexOf("reason=") + 7) + ")";
        }
        if (line.contains("dump stored")) {
            return "goroutine dump of " + Timeline.field(message, "pod") + " stored in ConfigMap " + Timeline.field(message, "configMap");
        }
        if (line.contains("pod evicted")) {
            return "evicted " + Timeline.field(message, "pod") + " through the Eviction API (graceful: SIGTERM, then its grace period)";
        }
        if (line.contains("alert resolved")) {
            return "alert resolved for " + Timeline.field(message, "pod");
        }
        if ((line.contains(" WARN ") || line.contains(" ERROR ")) && !line.contains("unstable version")) {
            return "operator: " + message;
        }
        return null;
    }

    private static String headline(SlackReceiver.Message m) {
        if (m.body().has("attachments")) {
            return m.body().get("attachments").get(0).path("title").asText();
        }
        return m.body().path("text").asText();
    }

    private void table(KubeCluster cluster, Map<String, String> verdicts) {
        LeakPolicy policy = cluster.policy("shop", "shop");
        Map<String, PodRisk> risks = new LinkedHashMap<>();
        if (policy.getStatus() != null && policy.getStatus().atRisk != null) {
            policy.getStatus().atRisk.forEach(r -> risks.put(r.pod, r));
        }
        for (String pod : cluster.runningPods("shop")) {
            CgroupProcess process = cluster.kubelet.process("shop", pod);
            long bytes = process == null ? -1 : process.memoryBytes();
            PodRisk risk = risks.get(pod);
            System.out.printf("%s  %-26s memory %4d MiB of %d MiB   %s%n", clock(), pod, bytes < 0 ? 0 : bytes >> 20,
                    LIMIT >> 20, risk != null ? risk.verdict + (risk.projectedOomIn == null ? ""
                            : ", projected OOM in " + risk.projectedOomIn) : verdicts.getOrDefault(pod, "not judged yet"));
        }
    }

    private boolean summarize(KubeCluster cluster, String leaking, SlackReceiver slack) throws IOException {
        Timeline timeline = Timeline.of(leaking, leakStart, cluster.operatorLogs());
        List<HarnessKubelet.Life> lives = cluster.kubelet.lives("shop").stream().filter(l -> l.pod().equals(leaking)).toList();
        if (!lives.isEmpty()) {
            timeline.with("ended " + lives.get(0).ending(), lives.get(0).ended());
        }
        System.out.println();
        System.out.println("Summary");
        System.out.println("  " + timeline.render(leaking));
        LeakPolicy policy = cluster.policy("shop", "shop");
        RemediationRecord evicted = policy.getStatus() == null || policy.getStatus().remediations == null ? null
                : policy.getStatus().remediations.stream().filter(r -> "Evicted".equals(r.result)).findFirst().orElse(null);
        boolean graceful = !lives.isEmpty() && lives.get(0).ending() == CgroupProcess.Ending.TerminatedGracefully;
        System.out.println("  the leaking pod " + leaking + " ended: " + (lives.isEmpty() ? "not yet" : lives.get(0).ending()));
        if (evicted != null && evicted.dump != null) {
            ConfigMap dump = cluster.client.configMaps().inNamespace("shop").withName(evicted.dump).get();
            String report = dump == null ? "" : dump.getData().getOrDefault("report.txt", "");
            System.out.println("  dump " + evicted.dump + ", its report begins:");
            report.lines().limit(8).forEach(l -> System.out.println("    " + l));
        }
        System.out.println("  Slack messages received: " + slack.messages.size() + "; status: restarts="
                + policy.getStatus().restarts + " matched=" + policy.getStatus().pods.matched);
        System.out.println("  the alerts stay firing for 2 minutes after the restart, so that Alertmanager notifies them,"
                + " then resolve (not waited for here)");
        System.out.println(graceful
                ? "LeakGuard restarted the leaking pod gracefully, with its dump, before the kernel's OOM killer."
                : "The leaking pod was not restarted gracefully within " + MAX.toMinutes() + " minutes: see the operator log.");
        return graceful;
    }
}
