package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import io.leakguard.e2e.harness.LeakyWorkload;
import io.leakguard.e2e.harness.SlackReceiver;
import org.junit.jupiter.api.Test;

/**
 * A Go 1.27 service, built with Go 1.27.3 fetched from the module proxy, whose runtime serves the goroutine
 * leak profile: with {@code detection.provenLeakGoroutines} set, the leaking pod is judged Leaking on the
 * runtime's proof, before its trend would have said so; its dump's report lists the leak site as a proven
 * leak with its count, the Slack alert says so, and the healthy pod's profile proves nothing. The pod's
 * goroutine and leak profiles are pushed to a receiver of Pyroscope's /ingest API that parses them with
 * Go's pprof library, and the alert says where they are.
 */
class ProvenLeakE2E {

    private static final String PROVEN = "goroutines proven leaked by the Go runtime's leak profile";

    @Test
    void aGo127PodsProvenLeakIsActedOnReportedAndAlertedWhileAHealthyPodsProfileShowsNone() throws Exception {
        KubeCluster.assumeRunnable("ProvenLeakE2E", KubeCluster.unavailableReason());
        Process pyroscope = new ProcessBuilder(LeakyWorkload.program("pyroscope-receiver").toString())
                .redirectErrorStream(true).start();
        try (KubeCluster cluster = KubeCluster.start(Files.createTempDirectory("proven-leak-e2e"));
                SlackReceiver slack = new SlackReceiver()) {
            String pyroscopeUrl = "http://" + new java.io.BufferedReader(new java.io.InputStreamReader(
                    pyroscope.getInputStream())).readLine().replace("listening on ", "");
            cluster.installOperator(Map.of(), Map.of("LEAKGUARD_DUMPS_LEAK_PROFILE_EVERY", "10s"));
            cluster.namespace("shop");
            cluster.slackSecret("shop", "slack", slack.url("/slack/shop"));
            cluster.leakyDeployment("shop", "checkout", 2, Workloads.LIMIT, Workloads.firstLeaksFlags(),
                    LeakyWorkload.GO_1_27);
            cluster.awaitReady("shop", "checkout", 2, Duration.ofMinutes(3));
            String leaking = cluster.runningPods("shop").get(0);
            String healthy = cluster.runningPods("shop").get(1);
            long created = System.nanoTime();
            cluster.create(Workloads.policy("shop", "", "", "{slack: {webhookSecretRef: {name: slack, key: url}}}")
                    .replace("warmup: 0s}", "warmup: 0s, provenLeakGoroutines: 300}")
                    + "  diagnostics: {pyroscope: {url: '" + pyroscopeUrl + "'}}\n");

            await().atMost(Duration.ofMinutes(7)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !cluster.kubelet.lives("shop").isEmpty());
            HarnessKubelet.Life life = cluster.kubelet.lives("shop").get(0);
            System.out.printf("proven leak: the leaking pod ended %.1f s after its policy was created%n",
                    (System.nanoTime() - created) / 1e9);
            assertThat(life.pod()).isEqualTo(leaking);
            assertThat(life.ending()).as("operator log:\n%s", cluster.operatorLog())
                    .isEqualTo(CgroupProcess.Ending.TerminatedGracefully);

            await().ignoreExceptions().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                LeakPolicy policy = cluster.policy("shop", "checkout");
                RemediationRecord evicted = policy.getStatus().remediations.stream()
                        .filter(r -> "Evicted".equals(r.result)).findFirst().orElseThrow();
                assertThat(evicted.pod).isEqualTo(leaking);
                var dumpRecord = policy.getStatus().dumps.stream().filter(d -> leaking.equals(d.pod)).findFirst()
                        .orElseThrow();
                assertThat(dumpRecord.provenLeaks).as("the dump's proven leaks in status").contains(PROVEN)
                        .contains("main.worker");
                ConfigMap dump = cluster.client.configMaps().inNamespace("shop").withName(dumpRecord.configMap).get();
                assertThat(dump.getData().get("report.txt")).as("the report lists the leak site as a proven leak")
                        .containsPattern("The Go runtime's goroutine-leak profile: [1-9][0-9]* goroutines proven leaked")
                        .contains("main.worker");
                assertThat(slack.at("/slack/shop")).as("the alert says the leak is proven, and where")
                        .anySatisfy(m -> assertThat(m.text()).contains("restarted shop/" + leaking)
                                .contains("(policy acts at 300)").contains(PROVEN).contains("main.worker")
                                .contains("goroutine profiles in Pyroscope at " + pyroscopeUrl));
                JsonNode received = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(pyroscopeUrl + "/received")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(received.findValuesAsText("name")).as("both profiles, parsed by Go's pprof library")
                        .containsExactlyInAnyOrder("shop.checkout{leakguard_profile=goroutine,namespace=shop,pod=" + leaking + "}",
                                "shop.checkout{leakguard_profile=goroutineleak,namespace=shop,pod=" + leaking + "}");
                assertThat(received.findValues("functions").toString()).contains("main.worker");
                assertThat(cluster.events("shop")).extracting(e -> e.getReason()).contains("ProfilesPushed");
            });

            // The healthy pod's runtime proves nothing, and its verdict never mentions proven leaks.
            String ip = cluster.kubelet.podIp("shop", healthy);
            HttpResponse<String> profile = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + ip + ":9090/debug/pprof/goroutineleak?debug=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(profile.statusCode()).isEqualTo(200);
            assertThat(profile.body()).startsWith("goroutineleak profile: total 0");
            assertThat(cluster.evictions("shop")).as("only the leaking pod").containsExactly(leaking);
            assertThat(cluster.operatorForbidden()).isEmpty();
        } finally {
            pyroscope.destroyForcibly();
        }
    }
}
