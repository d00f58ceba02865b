package io.leakguard.e2e.harness;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.api.v1alpha1.LeakPolicy;

/**
 * The end-to-end cluster: a real control plane ({@link ControlPlane}), one harness node
 * ({@link HarnessKubelet}) and, once {@link #installOperator} has run, LeakGuard installed by Helm from
 * {@code helm/leakguard}, its Deployment's pod running the packaged jar under the chart's
 * ServiceAccount, so that the chart's RBAC is enforced by the API server's authorizer.
 */
public final class KubeCluster implements AutoCloseable {

    public static final String OPERATOR_NAMESPACE = "leakguard-system";
    /** The operator's identity in the audit log: the chart's ServiceAccount. */
    public static final String OPERATOR_USER = "system:serviceaccount:" + OPERATOR_NAMESPACE + ":leakguard";
    /** The image the chart names; the harness node runs the packaged jar for it. */
    static final String OPERATOR_IMAGE = "ghcr.io/leakguard/leakguard-operator";
    /** The image of the leaky Go workload; the harness node runs the built binary for it. */
    public static final String LEAKY_IMAGE = "leakguard/leaky";
    static final Path CHART = Path.of("../helm/leakguard");
    /** The packaged operator, which the harness node runs for the chart's image. */
    static final Path JAR = Path.of("../operator/target/quarkus-app/quarkus-run.jar");

    public final ControlPlane plane;
    public final HarnessKubelet kubelet;
    public final KubernetesClient client;
    public final Path work;
    private final Map<String, IntFunction<List<String>>> leakyArgs = new LinkedHashMap<>();
    private final Map<String, String> operatorEnv = new LinkedHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService discovery =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

    private KubeCluster(Path work, ControlPlane plane, HarnessKubelet kubelet) {
        this.work = work;
        this.plane = plane;
        this.kubelet = kubelet;
        this.client = plane.admin();
    }

    /**
     * Why this tier cannot run here (no writable memory cgroups, no Go toolchain, no openssl), or null.
     * With {@code LEAKGUARD_REQUIRE_GO=1}, as CI sets, a missing Go toolchain fails instead.
     */
    public static String unavailableReason() {
        String reason = CgroupProcess.unavailableReason();
        return reason != null ? reason : ControlPlane.unavailableReason();
    }

    /**
     * Skips the calling scenario when {@code reason} (from {@link #unavailableReason} and whatever else it
     * needs) says it cannot run here, printing why, since a skipped end-to-end test is easy to miss.
     */
    public static void assumeRunnable(String scenario, String reason) {
        if (reason != null) {
            System.err.println(scenario + " skipped: " + reason);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(reason == null, "skipped: " + reason);
    }

    public static KubeCluster start(Path work) throws Exception {
        Files.createDirectories(work);
        ControlPlane plane = ControlPlane.start(work.resolve("controlplane"));
        HarnessKubelet kubelet;
        try {
            kubelet = HarnessKubelet.start(plane, work.resolve("pods"));
        } catch (Exception e) {
            plane.close();
            throw e;
        }
        KubeCluster cluster = new KubeCluster(work, plane, kubelet);
        kubelet.image(OPERATOR_IMAGE, cluster.new OperatorProgram());
        kubelet.image(LEAKY_IMAGE, cluster.new LeakyProgram());
        return cluster;
    }

    /** The packaged jar, as the image's entry point runs it, serving on the pod's own address. */
    private final class OperatorProgram implements HarnessKubelet.Program {
        @Override
        public List<String> argv(HarnessKubelet.Launch launch) {
            if (!Files.exists(JAR)) {
                throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build it first with"
                        + " ./mvnw -pl operator -am package -DskipTests");
            }
            return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:MaxRAMPercentage=50",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar",
                    JAR.toAbsolutePath().toString());
        }

        @Override
        public Map<String, String> env(HarnessKubelet.Launch launch) {
            Map<String, String> env = new LinkedHashMap<>(operatorEnv);
            // A pod has its own network namespace; here it has its own loopback address instead.
            env.put("QUARKUS_HTTP_HOST", launch.podIp());
            return env;
        }
    }

    /** The leaky Go workload; its flags come from {@link #leakyDeployment}, by the pod's order in its app. */
    private final class LeakyProgram implements HarnessKubelet.Program {
        @Override
        public List<String> argv(HarnessKubelet.Launch launch) throws Exception {
            List<String> argv = new ArrayList<>();
            // The image's tag names the Go release it is built with: "e2e" for the machine's own.
            String image = launch.container().getImage();
            String tag = image.substring(image.lastIndexOf(':') + 1);
            argv.add(LeakyWorkload.binary(tag.startsWith("go") ? tag : "local").toString());
            var labels = launch.pod().getMetadata().getLabels();
            IntFunction<List<String>> args = leakyArgs.get(launch.namespace() + "/" + (labels == null ? "" : labels.get("app")));
            if (args != null) {
                argv.addAll(args.apply(launch.index()));
            } else if (launch.container().getArgs() != null) {
                argv.addAll(launch.container().getArgs());
            }
            argv.addAll(List.of("-listen", launch.podIp() + ":" + launch.port()));
            return argv;
        }
    }

    /**
     * Installs the chart as a user would ({@code helm install leakguard helm/leakguard -n leakguard-system
     * --create-namespace --wait}), with {@code values} set; {@code env} is added to the operator's
     * environment for the test's own timing only.
     */
    public void installOperator(Map<String, Object> values, Map<String, String> env) {
        operatorEnv.putAll(env);
        var install = new Helm(CHART).install().withName("leakguard").withNamespace(OPERATOR_NAMESPACE).createNamespace()
                .withKubeConfig(plane.kubeconfig).set("image.repository", OPERATOR_IMAGE).waitReady().withTimeout(180)
                // The harness's Prometheus, Alertmanager and Slack receiver listen on loopback.
                .set("egress.allowLoopback", "true");
        values.forEach(install::set);
        try {
            install.call();
        } catch (IllegalStateException e) {
            // Helm installs the chart's CRDs before it records the release, so an install whose CRD request a
            // busy API server timed out left nothing to clean up: it is tried once more, as a user would.
            String message = String.valueOf(e.getMessage());
            if (!message.contains("failed to install CRD") || !message.contains("Timeout")) {
                throw e;
            }
            install.call();
        }
    }

    /**
     * Keeps Prometheus file_sd targets in {@code dir} from the API server's pods, as Prometheus's
     * Kubernetes discovery would (Debian's Prometheus is built without it): each Running pod with a
     * container port named {@code metrics}, at its pod IP, labelled with its namespace and pod.
     */
    public void prometheusTargets(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        Runnable write = () -> {
            List<Map<String, Object>> targets = new ArrayList<>();
            for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
                if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase()) || pod.getStatus().getPodIP() == null
                        || pod.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.empty()
                        : c.getPorts().stream()).filter(p -> "metrics".equals(p.getName())).findFirst()
                        .ifPresent(port -> targets.add(Map.of("targets", List.of(pod.getStatus().getPodIP() + ":" + port.getContainerPort()),
                                "labels", Map.of("namespace", pod.getMetadata().getNamespace(), "pod", pod.getMetadata().getName()))));
            }
            try {
                Path tmp = dir.resolve(".pods.tmp");
                Files.writeString(tmp, io.fabric8.kubernetes.client.utils.Serialization.asJson(targets));
                Files.move(tmp, dir.resolve("pods.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        write.run();
        discovery.scheduleWithFixedDelay(() -> {
            try {
                write.run();
            } catch (RuntimeException e) {
                System.err.println("prometheus targets: " + e);
            }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** The operator's pod (the first of the Deployment's, oldest first). */
    public Pod operatorPod() {
        return client.pods().inNamespace(OPERATOR_NAMESPACE).withLabel("app.kubernetes.io/name", "leakguard").list()
                .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .min(java.util.Comparator.comparing(p -> p.getMetadata().getCreationTimestamp())).orElseThrow();
    }

    /** Every log the operator's containers wrote, oldest first. */
    public List<Path> operatorLogs() throws java.io.IOException {
        try (var files = Files.list(work.resolve("pods"))) {
            return files.filter(f -> f.getFileName().toString().startsWith(OPERATOR_NAMESPACE + "-")
                    && f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    public String operatorLog() throws java.io.IOException {
        StringBuilder text = new StringBuilder();
        for (Path log : operatorLogs()) {
            text.append(Files.readString(log));
        }
        return text.toString();
    }

    /** A namespace, once its default ServiceAccount exists (pods cannot be created before). */
    public void namespace(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.serviceAccounts().inNamespace(name).withName("default").get() != null);
    }

    /**
     * The leaky workload as a Deployment of {@code replicas} pods, Ready once {@code /healthz} answers;
     * each pod runs the leaky binary with {@code args} given its order in the namespace (0 is the first).
     */
    public void leakyDeployment(String namespace, String name, int replicas, long limitBytes, IntFunction<List<String>> args) {
        leakyDeployment(namespace, name, replicas, limitBytes, args, "e2e");
    }

    /** As {@link #leakyDeployment(String, String, int, long, IntFunction)}, built with the Go release {@code tag} names ("go1.27.3"). */
    public void leakyDeployment(String namespace, String name, int replicas, long limitBytes, IntFunction<List<String>> args,
            String tag) {
        leakyArgs.put(namespace + "/" + name, args);
        create("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      terminationGracePeriodSeconds: 10
                      containers:
                        - name: app
                          image: %s:%s
                          ports: [{name: metrics, containerPort: 9090}]
                          readinessProbe: {httpGet: {path: /healthz, port: metrics}, periodSeconds: 1}
                          resources: {limits: {memory: "%d"}, requests: {memory: 32Mi}}
                """.formatted(name, namespace, replicas, name, name, LEAKY_IMAGE, tag, limitBytes));
    }

    /** Waits until {@code count} pods of the app {@code app} are Ready, as the API server reports them. */
    public void awaitReady(String namespace, String app, int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> client.pods().inNamespace(namespace)
                .withLabel("app", app).list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null
                        && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                                && "True".equals(c.getStatus()))).count() == count);
    }

    /** The running pods of a Deployment's app label, by the harness node's start order. */
    public List<String> runningPods(String namespace) {
        return kubelet.pods(namespace);
    }

    /** Creates the objects of a YAML document, as {@code kubectl create -f} would: validated by the server. */
    public void create(String yaml) {
        create(client, yaml);
    }

    /** As {@link #create(String)}, as whoever {@code as} authenticates: a team's own client, for example. */
    public static void create(KubernetesClient as, String yaml) {
        for (HasMetadata item : as.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
            as.resource(item).create();
        }
    }

    public LeakPolicy policy(String namespace, String name) {
        return client.resources(LeakPolicy.class).inNamespace(namespace).withName(name).get();
    }

    /** A Secret holding a Slack webhook URL, as a team would create it. */
    public void slackSecret(String namespace, String name, String url) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
                .addToLabels("leakguard.io/readable", "true")
                .endMetadata().addToData("url", Base64.getEncoder().encodeToString(url.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
    }

    public List<Event> events(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems();
    }

    /** The pods the API server accepted an eviction of in {@code namespace}, in order. */
    public List<String> evictions(String namespace) throws java.io.IOException {
        return plane.requests().stream().filter(r -> "eviction".equals(r.subresource()) && namespace.equals(r.namespace())
                && r.code() >= 200 && r.code() < 300).map(ControlPlane.Request::name).toList();
    }

    /** Every request the operator made, as "group resource[/subresource] verb" (the audit log's view). */
    public java.util.Set<String> operatorCalls() throws java.io.IOException {
        String user = OPERATOR_USER;
        java.util.Set<String> calls = new java.util.TreeSet<>();
        for (ControlPlane.Request r : plane.requests()) {
            if (user.equals(r.user())) {
                calls.add(r.group() + " " + r.resource() + (r.subresource() == null ? "" : "/" + r.subresource()) + " "
                        + r.verb());
            }
        }
        return calls;
    }

    /** What the chart's ClusterRoles grant the operator, in the form of {@link #operatorCalls()}. */
    public java.util.Set<String> operatorGrants() {
        java.util.Set<String> grants = new java.util.TreeSet<>();
        for (String role : List.of("leakguard", "leakguard-crd")) {
            for (var rule : client.rbac().clusterRoles().withName(role).get().getRules()) {
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        for (String verb : rule.getVerbs()) {
                            grants.add(group + " " + resource + " " + verb);
                        }
                    }
                }
            }
        }
        return grants;
    }

    /** The operator's requests the authorizer refused. */
    public List<ControlPlane.Request> operatorForbidden() throws java.io.IOException {
        String user = OPERATOR_USER;
        return plane.requests().stream().filter(r -> user.equals(r.user()) && r.code() == 403).toList();
    }

    @Override
    public void close() throws Exception {
        discovery.shutdownNow();
        try {
            kubelet.close();
        } finally {
            plane.close();
        }
    }
}
