package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.EvictingCrudDispatcher;
import io.leakguard.e2e.harness.LeakyWorkload;
import io.leakguard.e2e.harness.OperatorProcess;
import io.leakguard.e2e.harness.WorkloadSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goroutine leak, Scrape mode, end to end: the packaged operator, the harness's API server, and a
 * real leaky Go process in a cgroup that the kernel would OOM-kill. The pod must be restarted
 * gracefully (terminated, not OOM-killed), with its dump stored and the leaking function first.
 */
class GoroutineLeakE2E {

    private static final String NS = "shop";
    private static final long LIMIT = 160L * 1024 * 1024;

    @TempDir
    Path work;

    @Test
    void aLeakingPodIsDumpedAndRestartedGracefullyBeforeTheKernelKillsIt() throws Exception {
        String noCgroups = CgroupProcess.unavailableReason();
        if (noCgroups != null) {
            System.err.println("GoroutineLeakE2E skipped: " + noCgroups);
        }
        assumeTrue(noCgroups == null, "skipped: " + noCgroups);
        assumeTrue(LeakyWorkload.toolchainPresent() || "1".equals(System.getenv("LEAKGUARD_REQUIRE_GO")),
                "skipped: install golang-go and golang-github-prometheus-client-golang-dev");
        String leaky = LeakyWorkload.binary().toString();

        EvictingCrudDispatcher dispatcher = new EvictingCrudDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        server.init();
        KubernetesClient client;
        try (KubernetesClient retrying = server.createClient()) {
            client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(retrying.getConfiguration())
                    .withRequestRetryBackoffLimit(0).build()).build();
        }
        client.resource(Serialization.unmarshal(Files.readString(Path.of("../crds/leakpolicies.leakguard.io-v1.yml")),
                CustomResourceDefinition.class)).create();
        Instant t0 = Instant.now();
        // Pod 0 leaks 30 goroutines a second, each holding 8 KiB (about 0.5 MiB/s with its stack): the
        // kernel would kill it at 160 MiB within about 5 minutes. Its sibling and replacements are healthy.
        try (WorkloadSimulator workload = new WorkloadSimulator(client, dispatcher, NS, "checkout", LIMIT,
                index -> index == 0
                        ? List.of(leaky, "-leak-goroutines-per-second", "30", "-leak-bytes-per-goroutine", "8192")
                        : List.of(leaky, "-garbage-kib-per-second", "2000"),
                Files.createDirectories(work.resolve("pods")))) {
            String leaking = workload.launch();
            workload.launch();
            try (OperatorProcess operator = OperatorProcess.start(server.url(""), work.resolve("operator.log"), Map.of())) {
                client.resource(Serialization.unmarshal("""
                        apiVersion: leakguard.io/v1alpha1
                        kind: LeakPolicy
                        metadata: {name: checkout, namespace: shop}
                        spec:
                          selector: {matchLabels: {app: checkout}}
                          runtime: Go
                          metrics: {interval: 2s, timeout: 1s}
                          detection: {window: 5m, horizon: 2m, minSamples: 10, warmup: 0s}
                          remediation: {cooldown: 1m, maxPerHour: 10}
                        """, LeakPolicy.class)).create();

                await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> !workload.lives.isEmpty());
                Instant ended = Instant.now();
                WorkloadSimulator.Life first = workload.lives.get(0);
                String log = Files.readString(operator.log);
                System.out.println("GoroutineLeakE2E timeline (seconds after the leak started):");
                log.lines().filter(l -> (l.contains("verdict changed") || l.contains("dump stored")
                        || l.contains("pod evicted")) && l.contains(leaking) || l.contains("not evicting"))
                        .forEach(l -> System.out.println("  " + l));
                System.out.println("  pod ended: " + first.ending() + " after "
                        + Duration.between(t0, ended).toSeconds() + " s");

                assertThat(first.pod()).isEqualTo(leaking);
                assertThat(first.ending()).as("operator log:\n%s", log).isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    LeakPolicy policy = client.resources(LeakPolicy.class).inNamespace(NS).withName("checkout").get();
                    RemediationRecord evicted = policy.getStatus().remediations.stream()
                            .filter(r -> "Evicted".equals(r.result)).findFirst().orElseThrow();
                    assertThat(evicted.pod).isEqualTo(leaking);
                    ConfigMap dump = client.configMaps().inNamespace(NS).withName(evicted.dump).get();
                    assertThat(dump.getData().get("report.txt")).contains("main.worker").contains("chan send");
                    assertThat(policy.getStatus().pods.matched).as("the replacement is tracked").isEqualTo(2);
                });
            }
        } finally {
            client.close();
            server.destroy();
        }
    }
}
