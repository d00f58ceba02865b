package io.leakguard.e2e.scale;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.ControlPlane;
import io.leakguard.e2e.harness.KubeCluster;
import io.leakguard.e2e.harness.LeakyWorkload;

/**
 * The load benchmark: for each pod count, a fresh real control plane with that many pod objects bound to a
 * {@link HollowNode} (no processes), across a few hundred namespaces and policies; every pod's
 * {@code /metrics} served by one metrics farm process on the pod's own loopback address (3% leaking, 2% slow,
 * 2% failing, 10% JVM); and the packaged operator in its own JVM and memory cgroup at the chart's default
 * limit (512 MiB). After a warm-up it measures the operator's CPU and memory, how late its sampling rounds
 * start, scrapes lost, its API requests by verb (the audit log), and the time from the sample that first
 * judged a pod Leaking to its eviction. An idle operator (no policy, no pod) is the same run's baseline.
 * Run on demand (README, "Scale"): {@code ./mvnw -B -Pscale -DskipTests verify [-Dscale.pods=1000,3000,10000]}.
 */
public final class ScaleBench {

    private static final String OPERATOR_USER = "system:serviceaccount:leakguard-system:leakguard";
    private static final long LIMIT = 512L << 20;
    private final Duration warmup;
    private final Duration measure;

    private ScaleBench(Duration warmup, Duration measure) {
        this.warmup = warmup;
        this.measure = measure;
    }

    /** One run's figures. */
    record Figures(int pods, int policies, double cores, double rssMiB, double heapAfterGcMiB, double latenessP50,
            double latenessP99, long overruns, double lostShare, Map<String, Double> requestsPerSecond,
            double breachP50, double breachP99, int waited, int evicted, int leaking) {
    }

    public static void main(String[] args) throws Exception {
        String reason = KubeCluster.unavailableReason();
        if (reason != null) {
            System.err.println("The scale benchmark runs the real control plane and the operator in a memory cgroup, and"
                    + " cannot here: " + reason);
            System.exit(2);
        }
        List<Integer> sizes = new ArrayList<>();
        for (String n : System.getProperty("scale.pods", "1000,3000,10000").split(",")) {
            sizes.add(Integer.parseInt(n.trim()));
        }
        ScaleBench bench = new ScaleBench(Duration.ofSeconds(Long.getLong("scale.warmup", 150)),
                Duration.ofSeconds(Long.getLong("scale.measure", 180)));
        List<Figures> all = new ArrayList<>();
        all.add(bench.run(0));
        for (int n : sizes) {
            try {
                all.add(bench.run(n));
                print(all);
            } catch (Exception e) {
                // What broke first is a result too: say it, and go on with the next size.
                System.out.printf("%d pods: the run failed: %s (the operator's log is in the folder above)%n", n, e);
            }
        }
        print(all);
        System.exit(0);
    }

    private Figures run(int pods) throws Exception {
        Path work = Files.createTempDirectory("leakguard-scale-" + pods);
        System.out.printf("%n== %d pods (files in %s)%n", pods, work);
        try (ControlPlane plane = ControlPlane.start(work.resolve("controlplane"));
                HollowNode node = new HollowNode(plane.admin())) {
            KubernetesClient admin = plane.admin();
            KubeCluster.create(admin, Files.readString(Path.of("../crds/leakpolicies.leakguard.io-v1.yml")));
            node.register();
            int namespaces = pods == 0 ? 0 : Math.max(5, pods / 40);
            long start = System.nanoTime();
            List<String> farmLines = populate(admin, node, pods, namespaces);
            System.out.printf("%d pods running on the hollow node, %d namespaces, %d policies, in %.0f s%n", farmLines.size(),
                    namespaces, 2 * namespaces, (System.nanoTime() - start) / 1e9);
            Path podsFile = work.resolve("pods.txt");
            Files.write(podsFile, farmLines);
            Process farm = new ProcessBuilder(LeakyWorkload.program("metrics-farm").toString(), "-pods", podsFile.toString(),
                    "-leak-mib-per-minute", "40", "-limit-mib", "512").redirectErrorStream(true)
                    .redirectOutput(work.resolve("farm.log").toFile()).start();
            int port = freePort();
            try (CgroupProcess operator = CgroupProcess.start("scale-operator", LIMIT, List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:MaxRAMPercentage=50",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar",
                    Path.of("../operator/target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString()),
                    work.resolve("operator.log"), Map.of("KUBECONFIG", operatorKubeconfig(plane, work).toString(),
                            "QUARKUS_HTTP_HOST", "127.0.0.1", "QUARKUS_HTTP_PORT", Integer.toString(port)))) {
                String metricsUrl = "http://127.0.0.1:" + port + "/q/metrics";
                Thread.sleep(warmup.toMillis());
                Map<String, Double> before = scrape(metricsUrl);
                long requestsBefore = plane.requests().size();
                long[] cpu0 = cpuTicks(operator.pid());
                long t0 = System.nanoTime();
                double maxRss = 0;
                while (System.nanoTime() - t0 < measure.toNanos()) {
                    Thread.sleep(5000);
                    maxRss = Math.max(maxRss, rssBytes(operator.pid()));
                }
                long[] cpu1 = cpuTicks(operator.pid());
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> after = scrape(metricsUrl);
                List<ControlPlane.Request> requests = plane.requests();
                Map<String, Double> perVerb = new TreeMap<>();
                for (ControlPlane.Request r : requests.subList((int) Math.min(requestsBefore, requests.size()), requests.size())) {
                    if (OPERATOR_USER.equals(r.user())) {
                        String verb = r.subresource() == null ? r.verb() : r.verb() + " " + r.subresource();
                        perVerb.merge(verb, 1.0 / seconds, Double::sum);
                    }
                }
                new ProcessBuilder("jcmd", Long.toString(operator.pid()), "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                Thread.sleep(1000);
                Map<String, Double> gc = scrape(metricsUrl);
                double heap = gc.entrySet().stream().filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{area=\"heap\""))
                        .mapToDouble(Map.Entry::getValue).sum();
                double ok = delta(before, after, "leakguard_scrapes_total{outcome=\"ok\"}");
                double inTime = farmLines.stream().filter(l -> !l.endsWith("-slow") && !l.endsWith("-failing")).count()
                        * seconds / 15.0;
                int leaking = (int) farmLines.stream().filter(l -> l.endsWith("-leaking")).count();
                double[] breach = breachToEviction(work.resolve("operator.log"), plane.audit);
                int evicted = (int) requests.stream().filter(r -> OPERATOR_USER.equals(r.user())
                        && "eviction".equals(r.subresource()) && r.code() / 100 == 2).count();
                farm.destroyForcibly();
                return new Figures(farmLines.size(), 2 * namespaces, (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) / 100.0 / seconds,
                        maxRss / (1 << 20), heap / (1 << 20),
                        after.getOrDefault("leakguard_sampling_lateness_seconds{quantile=\"0.5\"}", Double.NaN),
                        after.getOrDefault("leakguard_sampling_lateness_seconds{quantile=\"0.99\"}", Double.NaN),
                        (long) delta(before, after, "leakguard_sampling_overruns_total"),
                        pods == 0 ? 0 : Math.max(0, 1 - ok / inTime), perVerb,
                        breach[0], breach[1], (int) breach[2], evicted, leaking);
            } finally {
                farm.destroyForcibly();
            }
        }
    }

    /**
     * Namespaces, two policies each (Go and JVM), and two ReplicaSets each (app go and jvm) whose pods the
     * real scheduler binds to the hollow node, which runs them at consecutive farm addresses. A pod's kind
     * is chosen by its address: 3% leaking, 2% slow, 2% failing (Go), and the JVM ReplicaSets' pods are JVMs.
     * Controller-owned pods, because LeakGuard never evicts a bare pod (nothing would replace it).
     */
    private static List<String> populate(KubernetesClient admin, HollowNode node, int pods, int namespaces) throws Exception {
        if (pods == 0) {
            return List.of();
        }
        node.runBoundPods(i -> "127.50." + (i / 250) + "." + (i % 250 + 1));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            int jvmPerNamespace = Math.max(2, pods / namespaces / 10);
            int goPerNamespace = pods / namespaces - jvmPerNamespace;
            for (int ns = 0; ns < namespaces; ns++) {
                String name = "team-" + ns;
                done.add(pool.submit(() -> {
                    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                            .create();
                    KubeCluster.create(admin, policy(name, "go", "Go"));
                    KubeCluster.create(admin, policy(name, "jvm", "JVM"));
                    KubeCluster.create(admin, replicaSet(name, "go", goPerNamespace));
                    KubeCluster.create(admin, replicaSet(name, "jvm", jvmPerNamespace));
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            int expected = namespaces * (goPerNamespace + jvmPerNamespace);
            long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
            while (node.addresses().size() < expected && System.nanoTime() < deadline) {
                Thread.sleep(1000);
            }
            Thread.sleep(3000);
            List<String> lines = new ArrayList<>();
            node.addresses().forEach((pod, ip) -> {
                String[] octets = ip.split("\\.");
                int i = Integer.parseInt(octets[2]) * 250 + Integer.parseInt(octets[3]) - 1;
                int slot = i % 100;
                String kind = pod.contains("/jvm-") ? "jvm"
                        : slot < 3 ? "go-leaking" : slot < 5 ? "go-slow" : slot < 7 ? "go-failing" : "go";
                lines.add(ip + " " + kind);
            });
            return lines;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String replicaSet(String namespace, String app, int replicas) {
        return """
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers:
                        - name: app
                          image: hollow
                          ports: [{name: metrics, containerPort: 9090}]
                          resources: {limits: {memory: 512Mi}, requests: {memory: 1Mi, cpu: 1m}}
                """.formatted(app, namespace, replicas, app, app);
    }

    private static String policy(String namespace, String name, String runtime) {
        return """
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: %s, namespace: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  runtime: %s
                  metrics: {port: metrics, interval: 15s, timeout: 2s}
                  detection: {window: 10m, horizon: 15m, minSamples: 10, warmup: 0s}
                  remediation: {cooldown: 1m, maxPerHour: 60, maxConcurrent: 5}
                  diagnostics: {threadDump: {enabled: %s}}
                """.formatted(name, namespace, name, runtime, runtime.equals("Go"));
    }

    /** The operator's own identity (so that the audit log tells its requests apart), bound to cluster-admin. */
    private static Path operatorKubeconfig(ControlPlane plane, Path work) throws Exception {
        KubernetesClient admin = plane.admin();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("leakguard-system").endMetadata()
                .build()).create();
        admin.serviceAccounts().inNamespace("leakguard-system").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("leakguard").endMetadata().build()).create();
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("leakguard-bench").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole").withName("cluster-admin").endRoleRef().addNewSubject().withKind("ServiceAccount")
                .withName("leakguard").withNamespace("leakguard-system").endSubject().build()).create();
        String token = admin.serviceAccounts().inNamespace("leakguard-system").withName("leakguard")
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L).endSpec().build())
                .getStatus().getToken();
        Path kubeconfig = work.resolve("operator.kubeconfig");
        Files.writeString(kubeconfig, plane.kubeconfigForToken(token, "leakguard-system"));
        return kubeconfig;
    }

    private static final Pattern LEAKING = Pattern.compile(
            "^(\\S+ \\S+) INFO .*verdict changed: namespace=(\\S+) policy=\\S+ pod=(\\S+) from=\\S+ to=Leaking.*");

    /**
     * From the sample that first judged each pod Leaking (the operator's log) to its accepted eviction request
     * (the audit log): p50 and p99 in seconds over the evictions not held by a policy wait (a workload's
     * cooldown holds its second leaking pod for a minute or more, by design), and how many were held.
     */
    @SuppressWarnings("unchecked")
    private static double[] breachToEviction(Path operatorLog, Path audit) throws Exception {
        Map<String, Long> leaking = new java.util.HashMap<>();
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
        for (String line : Files.readAllLines(operatorLog)) {
            Matcher m = LEAKING.matcher(line);
            if (m.matches()) {
                leaking.putIfAbsent(m.group(2) + "/" + m.group(3), java.time.LocalDateTime.parse(m.group(1), format)
                        .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli());
            }
        }
        List<Double> latencies = new ArrayList<>();
        int waited = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String line : Files.readAllLines(audit)) {
            if (!line.contains("\"eviction\"")) {
                continue;
            }
            Map<String, Object> event = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(line, Map.class);
            Map<String, Object> ref = (Map<String, Object>) event.getOrDefault("objectRef", Map.of());
            Map<String, Object> status = (Map<String, Object>) event.getOrDefault("responseStatus", Map.of());
            String key = ref.get("namespace") + "/" + ref.get("name");
            if (!"eviction".equals(ref.get("subresource")) || !(status.get("code") instanceof Number code)
                    || code.intValue() / 100 != 2 || !seen.add(key) || !leaking.containsKey(key)) {
                continue;
            }
            double seconds = (java.time.Instant.parse((String) event.get("requestReceivedTimestamp")).toEpochMilli()
                    - leaking.get(key)) / 1000.0;
            if (seconds >= 30) {
                waited++;
            } else {
                latencies.add(seconds);
            }
        }
        java.util.Collections.sort(latencies);
        return new double[] {quantile(latencies, 0.5), quantile(latencies, 0.99), waited};
    }

    private static double quantile(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, Math.round(q * (sorted.size() - 1))));
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) ([-+.0-9eE]+|NaN)$");

    private static Map<String, Double> scrape(String url) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            Matcher m = SAMPLE.matcher(line.trim());
            if (m.matches()) {
                samples.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return samples;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    /** utime and stime of a process, in clock ticks (100 a second). */
    private static long[] cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    }

    private static double rssBytes(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024.0;
            }
        }
        return 0;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void print(List<Figures> all) {
        Figures idle = all.get(0);
        System.out.println("\n| pods | policies | CPU (cores) | RSS max (MiB) | heap after GC (MiB) | lateness p50 / p99 (s)"
                + " | rounds overrun | scrapes lost | API requests/s by verb | breach to eviction p50 / p99 (s) | held by a cooldown"
                + " | evicted / leaking |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Figures f : all) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f (%.1fx idle) | %.0f (%.2fx) | %.0f | %.2f / %.2f | %d | %.1f%% | %s | %.2f / %.2f | %d | %d / %d |%n",
                    f.pods() == 0 ? "idle" : Integer.toString(f.pods()), f.policies(), f.cores(), f.cores() / idle.cores(),
                    f.rssMiB(), f.rssMiB() / idle.rssMiB(), f.heapAfterGcMiB(), f.latenessP50(), f.latenessP99(), f.overruns(),
                    100 * f.lostShare(), verbs(f.requestsPerSecond()), f.breachP50(), f.breachP99(), f.waited(), f.evicted(),
                    f.leaking());
        }
        for (int i = 2; i < all.size(); i++) {
            Figures a = all.get(i - 1);
            Figures b = all.get(i);
            double k = (b.pods() - a.pods()) / 1000.0;
            System.out.printf(Locale.ROOT, "from %d to %d pods, per 1,000 more: %+.3f cores, %+.0f MiB RSS, %+.0f MiB heap%n",
                    a.pods(), b.pods(), (b.cores() - a.cores()) / k, (b.rssMiB() - a.rssMiB()) / k,
                    (b.heapAfterGcMiB() - a.heapAfterGcMiB()) / k);
        }
    }

    private static String verbs(Map<String, Double> perVerb) {
        StringBuilder out = new StringBuilder();
        perVerb.forEach((verb, rate) -> out.append(out.length() == 0 ? "" : ", ").append(verb)
                .append(String.format(Locale.ROOT, " %.2f", rate)));
        return out.length() == 0 ? "-" : out.toString();
    }
}
