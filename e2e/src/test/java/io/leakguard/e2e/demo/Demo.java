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
import io.leakguard.e2e.harness.Cluster;
import io.leakguard.e2e.harness.DebianServer;
import io.leakguard.e2e.harness.LeakyWorkload;
import io.leakguard.e2e.harness.OperatorProcess;
import io.leakguard.e2e.harness.SlackReceiver;
import io.leakguard.e2e.harness.Timeline;
import io.leakguard.e2e.harness.WorkloadSimulator;

/**
 * {@code ./mvnw -Pdemo -DskipTests verify}: the embedded cluster, a Go service with one leaking pod
 * and one healthy pod, a healthy second service, Alertmanager when it is installed, and the packaged
 * operator. It prints what happens as it happens, then a summary, and exits by itself.
 */
public final class Demo {

    private static final long LIMIT = 160L * 1024 * 1024;
    private static final Duration MAX = Duration.ofMinutes(7);

    private final Instant start = Instant.now();
    private Instant leakStart;
    private final List<String> summary = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String reason = Cluster.realProcessesUnavailable();
        if (reason != null) {
            System.err.println("The demo runs each pod as a real process under a real memory limit, and cannot here: "
                    + reason + ".\nRun it as root on Linux with the cgroup v1 memory controller, with Go 1.26 or newer installed.");
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
                healthy. The packaged operator watches both with a 5-minute window, 2-second samples.
                Files (operator log, pod logs) are kept in %s
                """.formatted(work));
        String binary = LeakyWorkload.binary().toString();
        String alertmanagerMissing = DebianServer.unavailableReason(Path.of("/usr/bin/prometheus-alertmanager"),
                "prometheus-alertmanager", "LEAKGUARD_REQUIRE_ALERTMANAGER");
        try (Cluster cluster = Cluster.start(work);
                SlackReceiver slack = new SlackReceiver();
                DebianServer alertmanager = alertmanagerMissing == null
                        ? DebianServer.alertmanager(work.resolve("alertmanager"), slack.url("/alertmanager")) : null;
                WorkloadSimulator checkout = new WorkloadSimulator(cluster.client, cluster.dispatcher, "shop", "checkout",
                        LIMIT, i -> i == 0 ? List.of(binary, "-leak-goroutines-per-second", "30", "-leak-bytes-per-goroutine",
                                "8192") : List.of(binary, "-garbage-kib-per-second", "2000"),
                        Files.createDirectories(work.resolve("pods")));
                WorkloadSimulator catalog = new WorkloadSimulator(cluster.client, cluster.dispatcher, "shop", "catalog",
                        LIMIT, i -> List.of(binary, "-garbage-kib-per-second", "3000"), work.resolve("pods"));
                OperatorProcess operator = cluster.startOperator("operator", Map.of())) {
            if (alertmanagerMissing != null) {
                say("Alertmanager is not installed, so only the Slack path is shown (" + alertmanagerMissing + ")");
            }
            say("operator started (packaged jar, its own process), API server " + cluster.apiServerUrl());
            cluster.slackSecret("shop", "slack", slack.url("/slack"));
            leakStart = Instant.now();
            String leaking = checkout.launch();
            String sibling = checkout.launch();
            String healthy = catalog.launch();
            say("pods running: " + leaking + " (leaking), " + sibling + " and " + healthy + " (healthy)");
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
            return watch(cluster, slack, checkout, leaking, operator, catalog, alertmanager != null);
        }
    }

    private boolean watch(Cluster cluster, SlackReceiver slack, WorkloadSimulator checkout, String leaking,
            OperatorProcess operator, WorkloadSimulator catalog, boolean alertmanager) throws Exception {
        int logLines = 0;
        int messages = 0;
        int lives = 0;
        Instant lastTable = Instant.MIN;
        Instant done = null;
        Map<String, String> verdicts = new LinkedHashMap<>();
        while (Duration.between(start, Instant.now()).compareTo(MAX) < 0) {
            List<String> log = Files.readAllLines(operator.log);
            for (String line : log.subList(Math.min(logLines, log.size()), log.size())) {
                if (line.contains("verdict changed")) {
                    verdicts.put(Timeline.field(line, "pod"), Timeline.field(line, "to"));
                }
                String shown = interesting(line);
                if (shown != null) {
                    say(shown);
                }
            }
            logLines = log.size();
            for (SlackReceiver.Message m : slack.messages.subList(messages, slack.messages.size())) {
                say((m.path().equals("/slack") ? "Slack message from LeakGuard: " : "Slack message from Alertmanager: ")
                        + headline(m));
            }
            messages = slack.messages.size();
            for (WorkloadSimulator.Life life : checkout.lives.subList(lives, checkout.lives.size())) {
                say("pod " + life.pod() + " ended: " + life.ending() + " after "
                        + Duration.between(life.started(), life.ended()).toSeconds() + " s; the ReplicaSet starts a replacement");
            }
            lives = checkout.lives.size();
            if (Duration.between(lastTable, Instant.now()).toSeconds() >= 20) {
                lastTable = Instant.now();
                table(cluster, checkout, catalog, verdicts);
            }
            // Done once the leaking pod has ended and, with Alertmanager, the restart alert came through it.
            if (done == null && !checkout.lives.isEmpty() && (!alertmanager || slack.messages.stream()
                    .anyMatch(m -> m.path().equals("/alertmanager") && m.text().contains("LeakGuardPodRestarted")))) {
                done = Instant.now();
            }
            if (done != null && Duration.between(done, Instant.now()).toSeconds() >= 10) {
                break;
            }
            Thread.sleep(1000);
        }
        return summarize(cluster, checkout, leaking, operator, slack);
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

    private void table(Cluster cluster, WorkloadSimulator checkout, WorkloadSimulator catalog, Map<String, String> verdicts) {
        LeakPolicy policy = cluster.policy("shop", "shop");
        Map<String, PodRisk> risks = new LinkedHashMap<>();
        if (policy.getStatus() != null && policy.getStatus().atRisk != null) {
            policy.getStatus().atRisk.forEach(r -> risks.put(r.pod, r));
        }
        for (WorkloadSimulator workload : List.of(checkout, catalog)) {
            for (String pod : workload.podNames()) {
                CgroupProcess process = workload.process(pod);
                long bytes = process == null ? -1 : process.memoryBytes();
                PodRisk risk = risks.get(pod);
                System.out.printf("%s  %-16s memory %4d MiB of %d MiB   %s%n", clock(), pod, bytes < 0 ? 0 : bytes >> 20,
                        LIMIT >> 20, risk != null ? risk.verdict + (risk.projectedOomIn == null ? ""
                                : ", projected OOM in " + risk.projectedOomIn) : verdicts.getOrDefault(pod, "not judged yet"));
            }
        }
    }

    private boolean summarize(Cluster cluster, WorkloadSimulator checkout, String leaking, OperatorProcess operator,
            SlackReceiver slack) throws IOException {
        Timeline timeline = Timeline.of(leaking, leakStart, List.of(operator.log));
        if (!checkout.lives.isEmpty()) {
            timeline.with("ended " + checkout.lives.get(0).ending(), checkout.lives.get(0).ended());
        }
        System.out.println();
        System.out.println("Summary");
        System.out.println("  " + timeline.render(leaking));
        LeakPolicy policy = cluster.policy("shop", "shop");
        RemediationRecord evicted = policy.getStatus() == null || policy.getStatus().remediations == null ? null
                : policy.getStatus().remediations.stream().filter(r -> "Evicted".equals(r.result)).findFirst().orElse(null);
        boolean graceful = !checkout.lives.isEmpty() && checkout.lives.get(0).ending() == CgroupProcess.Ending.TerminatedGracefully;
        System.out.println("  the leaking pod " + leaking + " ended: "
                + (checkout.lives.isEmpty() ? "not yet" : checkout.lives.get(0).ending()));
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
