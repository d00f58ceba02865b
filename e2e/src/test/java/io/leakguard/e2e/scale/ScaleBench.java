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
import io.leakguard.e2e.harness.DebianServer;
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
 * With {@code -Dscale.shards=K}, K operators each watch their own namespaces (as the chart's {@code shards}
 * do), and the farm's count of requests per pod shows whether any pod was watched twice or never. With
 * {@code -Dscale.mode=prometheus}, a real Prometheus (Debian's) scrapes the farm at 15 s and the policies
 * read it ({@code source: Prometheus}): the run also reports Prometheus's queries, answer sizes and CPU.
 * Run on demand (README, "Scale"): {@code ./mvnw -B -Pscale -DskipTests verify [-Dscale.pods=1000,3000,10000]}.
 */
public final class ScaleBench {

    private static final String OPERATOR_USER = "system:serviceaccount:leakguard-system:leakguard";
    /** The operator's memory cgroup: the 512 MiB target by default ({@code -Dscale.limitMiB}; the chart's limit is 768). */
    /** The chart's memory limit by default (values.yaml resources.limits.memory). */
    private static final long LIMIT = Long.getLong("scale.limitMiB", 512) << 20;
    private final Duration warmup;
    private final Duration measure;
    private final int shards;
    private final boolean viaPrometheus;

    private ScaleBench(Duration warmup, Duration measure, int shards, boolean viaPrometheus) {
        this.warmup = warmup;
        this.measure = measure;
        this.shards = shards;
        this.viaPrometheus = viaPrometheus;
    }

    /** One run's figures. */
    record Figures(int pods, int policies, double cores, double rssMiB, double heapAfterGcMiB, double latenessP50,
            double latenessP99, long overruns, double lostShare, Map<String, Double> requestsPerSecond,
            double breachP50, double breachP99, int waited, int evicted, int leaking, int watchedTwice, int neverWatched,
            double gcShare) {
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
                Duration.ofSeconds(Long.getLong("scale.measure", 180)), Integer.getInteger("scale.shards", 1),
                "prometheus".equals(System.getProperty("scale.mode", "scrape")));
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
        System.out.printf("%n== %d pods, %s, %d operator%s (files in %s)%n", pods, viaPrometheus ? "through Prometheus"
                : "scraped by the operator", shards, shards == 1 ? "" : "s, one shard of the namespaces each", work);
        try (ControlPlane plane = ControlPlane.start(work.resolve("controlplane"));
                HollowNode node = new HollowNode(plane.admin());
                DebianServer prometheus = viaPrometheus
                        ? DebianServer.prometheus(work.resolve("prometheus"), work.resolve("targets"), Duration.ofSeconds(15))
                        : null) {
            KubernetesClient admin = plane.admin();
            KubeCluster.create(admin, Files.readString(Path.of("../crds/leakpolicies.leakguard.io-v1.yml")));
            node.register();
            int namespaces = pods == 0 ? 0 : Math.max(5, pods / 40);
            long start = System.nanoTime();
            List<String> farmLines = populate(admin, node, pods, namespaces, prometheus == null ? null : prometheus.url);
            System.out.printf("%d pods running on the hollow node, %d namespaces, %d policies, in %.0f s%n", farmLines.size(),
                    namespaces, 2 * namespaces, (System.nanoTime() - start) / 1e9);
            if (prometheus != null) {
                writeTargets(node, work.resolve("targets"));
            }
            Path podsFile = work.resolve("pods.txt");
            Files.write(podsFile, farmLines);
            String farmControl = "127.0.0.1:" + freePort();
            Process farm = new ProcessBuilder(LeakyWorkload.program("metrics-farm").toString(), "-pods", podsFile.toString(),
                    "-leak-mib-per-minute", "40", "-limit-mib", "512", "-control", farmControl).redirectErrorStream(true)
                    .redirectOutput(work.resolve("farm.log").toFile()).start();
            Path kubeconfig = operatorKubeconfig(plane, work);
            List<Operator> operators = new ArrayList<>();
            try {
                for (int shard = 0; shard < shards; shard++) {
                    operators.add(Operator.start(shard, shards, namespaces, kubeconfig, work));
                }
                Thread.sleep(warmup.toMillis());
                List<Map<String, Double>> before = new ArrayList<>();
                for (Operator o : operators) {
                    before.add(scrape(o.metricsUrl()));
                }
                Map<String, Double> prometheusBefore = prometheus == null ? Map.of() : scrape(prometheus.url + "/metrics");
                long[] prometheusCpu0 = prometheus == null ? new long[2] : cpuTicks(prometheus.pid());
                Map<String, Long> askedBefore = asked(farmControl);
                long requestsBefore = plane.requests().size();
                List<long[]> cpu0 = new ArrayList<>();
                for (Operator o : operators) {
                    cpu0.add(cpuTicks(o.process().pid()));
                    o.startProfile();
                }
                long t0 = System.nanoTime();
                double maxRss = 0;
                while (System.nanoTime() - t0 < measure.toNanos()) {
                    Thread.sleep(5000);
                    for (Operator o : operators) {
                        maxRss = Math.max(maxRss, rssBytes(o.process().pid()));
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                for (Operator o : operators) {
                    o.dumpProfile(work, pods);
                }
                double cores = 0;
                for (int i = 0; i < operators.size(); i++) {
                    long[] cpu1 = cpuTicks(operators.get(i).process().pid());
                    cores += (cpu1[0] + cpu1[1] - cpu0.get(i)[0] - cpu0.get(i)[1]) / 100.0 / seconds;
                }
                Map<String, Long> askedAfter = asked(farmControl);
                // Lateness quantiles: the worst shard's; counters: summed over the shards.
                Map<String, Double> after = new TreeMap<>();
                long overruns = 0;
                double gcSeconds = 0;
                for (int i = 0; i < operators.size(); i++) {
                    Map<String, Double> own = scrape(operators.get(i).metricsUrl());
                    own.forEach((k, v) -> after.merge(k, v, Math::max));
                    overruns += (long) delta(before.get(i), own, "leakguard_sampling_overruns_total");
                    gcSeconds = Math.max(gcSeconds, gcPauseSeconds(own) - gcPauseSeconds(before.get(i)));
                    printScrapeOutcomes(i, before.get(i), own);
                }
                if (prometheus != null) {
                    printPrometheusCost(prometheus, prometheusBefore, prometheusCpu0, seconds, cores);
                }
                List<ControlPlane.Request> requests = plane.requests();
                Map<String, Double> perVerb = new TreeMap<>();
                for (ControlPlane.Request r : requests.subList((int) Math.min(requestsBefore, requests.size()), requests.size())) {
                    if (OPERATOR_USER.equals(r.user())) {
                        String verb = r.subresource() == null ? r.verb() : r.verb() + " " + r.subresource();
                        perVerb.merge(verb, 1.0 / seconds, Double::sum);
                    }
                }
                double heap = 0;
                for (Operator o : operators) {
                    heap = Math.max(heap, o.heapAfterGc(work));
                }
                int leaking = (int) farmLines.stream().filter(l -> l.endsWith("-leaking")).count();
                double[] breach = breachToEviction(operators.stream().map(o -> o.log()).toList(), plane.audit);
                int evicted = (int) requests.stream().filter(r -> OPERATOR_USER.equals(r.user())
                        && "eviction".equals(r.subresource()) && r.code() / 100 == 2).count();
                Watched watched = Watched.of(farmLines, askedBefore, askedAfter, seconds);
                return new Figures(farmLines.size(), 2 * namespaces, cores, maxRss / (1 << 20), heap / (1 << 20),
                        after.getOrDefault("leakguard_sampling_lateness_seconds{quantile=\"0.5\"}", Double.NaN),
                        after.getOrDefault("leakguard_sampling_lateness_seconds{quantile=\"0.99\"}", Double.NaN),
                        overruns,
                        pods == 0 || prometheus != null ? 0 : watched.lost(), perVerb,
                        breach[0], breach[1], (int) breach[2], evicted, leaking, watched.twice(), watched.never(),
                        gcSeconds / seconds);
            } finally {
                for (Operator o : operators) {
                    o.process().close();
                }
                farm.destroyForcibly();
            }
        }
    }

    /** One operator: its own JVM in its own memory cgroup at the chart's limit, and with shards, its own namespaces. */
    private record Operator(CgroupProcess process, String metricsUrl, Path log) {

        static Operator start(int shard, int shards, int namespaces, Path kubeconfig, Path work) throws Exception {
            int port = freePort();
            Map<String, String> env = new TreeMap<>(Map.of("KUBECONFIG", kubeconfig.toString(), "QUARKUS_HTTP_HOST", "127.0.0.1",
                    "QUARKUS_HTTP_PORT", Integer.toString(port),
                    // The benchmark's Prometheus listens on loopback, which the egress rules refuse by default.
                    "LEAKGUARD_EGRESS_ALLOW_LOOPBACK", "true"));
            if (shards > 1) {
                // The chart's shards: every shard its own namespaces (here team-i goes to shard i mod shards) and Lease.
                List<String> own = new ArrayList<>();
                for (int ns = shard; ns < namespaces; ns += shards) {
                    own.add("team-" + ns);
                }
                env.put("LEAKGUARD_NAMESPACES", String.join(",", own));
                env.put("LEAKGUARD_LEADER_ELECTION_LEASE_NAME", "leakguard-shard-" + shard);
            }
            Path log = work.resolve(shards == 1 ? "operator.log" : "operator-" + shard + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(chartJvmOptions());
            command.addAll(List.of(
                    "-Xlog:gc:file=" + work.resolve("gc-" + shard + ".log").toAbsolutePath(),
                    // What the memory outside the heap is, printed with the class histogram (-Dscale.histogram=true).
                    "-XX:NativeMemoryTracking=" + (Boolean.getBoolean("scale.histogram") ? "summary" : "off"),
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar",
                    Path.of("../operator/target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString()));
            CgroupProcess process = CgroupProcess.start("scale-operator-" + shard, LIMIT, command, log, env);
            Operator operator = new Operator(process, "http://127.0.0.1:" + port + "/q/metrics", log);
            operator.histogramAfter(Long.getLong("scale.startupHistogram", 0), work);
            return operator;
        }

        /**
         * With {@code -Dscale.jfr=true}, a Java Flight Recording (the JDK's "profile" settings: CPU samples,
         * allocations, locks) of the measurement alone, so that the figures say what the CPU went to.
         */
        void startProfile() throws Exception {
            if (Boolean.getBoolean("scale.jfr")) {
                jcmd("JFR.start", "name=scale", "settings=profile");
            }
        }

        void dumpProfile(Path work, int pods) throws Exception {
            if (Boolean.getBoolean("scale.jfr")) {
                Path file = work.resolve("operator-" + process.pid() + "-" + pods + "-pods.jfr").toAbsolutePath();
                jcmd("JFR.dump", "name=scale", "filename=" + file);
                System.out.println("flight recording of the measurement: " + file
                        + " (read with: jfr view hot-methods FILE, JDK 21 or later; or jfr print --events jdk.ExecutionSample FILE)");
            }
        }

        private void jcmd(String... command) throws Exception {
            List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid())));
            args.addAll(List.of(command));
            new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }

        /**
         * With {@code -Dscale.startupHistogram=S}, the heap's biggest classes S seconds after the operator
         * starts (where the first list of pods and the first rounds meet), printed and kept in the run's folder.
         */
        void histogramAfter(long seconds, Path work) {
            if (seconds <= 0) {
                return;
            }
            Thread later = new Thread(() -> {
                try {
                    Thread.sleep(seconds * 1000);
                    Path file = work.resolve("histogram-" + process.pid() + "-at-" + seconds + "s.txt");
                    new ProcessBuilder("jcmd", Long.toString(process.pid()), "GC.class_histogram").redirectErrorStream(true)
                            .redirectOutput(file.toFile()).start().waitFor();
                    System.out.println("heap " + seconds + " s after the operator started:");
                    Files.readAllLines(file).stream().limit(25).forEach(System.out::println);
                } catch (Exception e) {
                    System.out.println("no startup histogram: " + e);
                }
            }, "startup-histogram");
            later.setDaemon(true);
            later.start();
        }

        /** The heap after a full collection, and with {@code -Dscale.histogram=true} what it holds, biggest first. */
        double heapAfterGc(Path work) throws Exception {
            jcmd("GC.run");
            Thread.sleep(1000);
            if (Boolean.getBoolean("scale.histogram")) {
                Path histogram = work.resolve("histogram-" + process.pid() + ".txt");
                new ProcessBuilder("jcmd", Long.toString(process.pid()), "GC.class_histogram").redirectErrorStream(true)
                        .redirectOutput(histogram.toFile()).start().waitFor();
                Files.readAllLines(histogram).stream().limit(30).forEach(System.out::println);
                Path nativeMemory = work.resolve("native-memory-" + process.pid() + ".txt");
                new ProcessBuilder("jcmd", Long.toString(process.pid()), "VM.native_memory", "summary").redirectErrorStream(true)
                        .redirectOutput(nativeMemory.toFile()).start().waitFor();
                Files.readAllLines(nativeMemory).stream().filter(l -> l.startsWith("Total") || l.startsWith("-"))
                        .forEach(System.out::println);
            }
            // The live data the forced full collection left (G1 keeps allocating into the young generation
            // meanwhile, so the heap's used bytes a second later overstate it); the used heap without it.
            Map<String, Double> metrics = scrape(metricsUrl);
            Double live = metrics.get("jvm_gc_live_data_size_bytes");
            return live != null && live > 0 ? live : metrics.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{area=\"heap\"")).mapToDouble(Map.Entry::getValue).sum();
        }
    }

    /** The chart's default {@code jvmOptions}, so that the operator measured is the operator installed. */
    static List<String> chartJvmOptions() throws Exception {
        for (String line : Files.readAllLines(Path.of("../helm/leakguard/values.yaml"))) {
            if (line.startsWith("jvmOptions:")) {
                String value = line.substring("jvmOptions:".length()).trim().replace("\"", "");
                return value.isEmpty() ? List.of() : List.of(value.split("\\s+"));
            }
        }
        throw new IllegalStateException("no jvmOptions in the chart's values.yaml");
    }

    /** How many times the farm was asked for each pod's /metrics. */
    private static Map<String, Long> asked(String farmControl) throws Exception {
        Map<String, Long> asked = new java.util.HashMap<>();
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + farmControl + "/scrapes"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length == 2) {
                asked.put(fields[0], Long.parseLong(fields[1]));
            }
        }
        return asked;
    }

    /**
     * What the farm saw of the pods that answer in time and are never evicted (go and jvm), from its count of
     * requests per pod: how many were asked for their metrics at least half again as often as one watcher at
     * 15 s would (watched twice), how many not at all, and the share of one watcher's scrapes that never came
     * (lost). Counting lost scrapes from the operator's own ok count would take the evicted leaking pods, no
     * longer scraped, as lost.
     */
    private record Watched(int twice, int never, double lost) {

        static Watched of(List<String> farmLines, Map<String, Long> before, Map<String, Long> after, double seconds) {
            double once = seconds / 15.0;
            int twice = 0;
            int never = 0;
            int pods = 0;
            long asked = 0;
            for (String line : farmLines) {
                String[] fields = line.split(" ");
                if (!fields[1].equals("go") && !fields[1].equals("jvm")) {
                    continue;
                }
                long n = after.getOrDefault(fields[0], 0L) - before.getOrDefault(fields[0], 0L);
                pods++;
                asked += n;
                if (n == 0) {
                    never++;
                } else if (n > 1.5 * once + 1) {
                    twice++;
                }
            }
            return new Watched(twice, never, pods == 0 ? 0 : Math.max(0, 1 - asked / (pods * once)));
        }
    }

    /** Every farm pod as a Prometheus file_sd target with its namespace and pod labels, as Kubernetes discovery gives them. */
    private static void writeTargets(HollowNode node, Path dir) throws Exception {
        List<Map<String, Object>> targets = new ArrayList<>();
        node.addresses().forEach((pod, ip) -> {
            String[] key = pod.split("/");
            targets.add(Map.of("targets", List.of(ip + ":9090"), "labels", Map.of("namespace", key[0], "pod", key[1])));
        });
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pods.json"), io.fabric8.kubernetes.client.utils.Serialization.asJson(targets));
    }

    /** What the fleet path costs: the queries LeakGuard sends, their answers' size, and Prometheus's own CPU. */
    private static void printPrometheusCost(DebianServer prometheus, Map<String, Double> before, long[] cpu0, double seconds,
            double operatorCores) throws Exception {
        Map<String, Double> after = scrape(prometheus.url + "/metrics");
        long[] cpu1 = cpuTicks(prometheus.pid());
        String query = "{handler=\"/api/v1/query\"}";
        double queries = delta(before, after, "prometheus_http_response_size_bytes_count" + query);
        double bytes = delta(before, after, "prometheus_http_response_size_bytes_sum" + query);
        double targets = after.getOrDefault("prometheus_sd_discovered_targets{config=\"pods\",name=\"scrape\"}", Double.NaN);
        System.out.printf(Locale.ROOT, "Prometheus mode: %.2f queries/s, %.0f KiB per answer, operator %.3f cores,"
                + " Prometheus %.3f cores and %.0f MiB RSS for %.0f targets%n", queries / seconds, queries == 0 ? 0 : bytes / queries / 1024,
                operatorCores, (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) / 100.0 / seconds, rssBytes(prometheus.pid()) / (1 << 20),
                targets);
    }

    /**
     * Namespaces, two policies each (Go and JVM), and two ReplicaSets each (app go and jvm) whose pods the
     * real scheduler binds to the hollow node, which runs them at consecutive farm addresses. A pod's kind
     * is chosen by its address: 3% leaking, 2% slow, 2% failing (Go), and the JVM ReplicaSets' pods are JVMs.
     * Controller-owned pods, because LeakGuard never evicts a bare pod (nothing would replace it).
     */
    private static List<String> populate(KubernetesClient admin, HollowNode node, int pods, int namespaces, String prometheusUrl)
            throws Exception {
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
                    KubeCluster.create(admin, policy(name, "go", "Go", prometheusUrl));
                    KubeCluster.create(admin, policy(name, "jvm", "JVM", prometheusUrl));
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

    private static String policy(String namespace, String name, String runtime, String prometheusUrl) {
        String source = prometheusUrl == null ? "" : "source: Prometheus, prometheus: {url: '" + prometheusUrl + "'}, ";
        return """
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: %s, namespace: %s}
                spec:
                  selector: {matchLabels: {app: %s}}
                  runtime: %s
                  metrics: {%sport: metrics, interval: 15s, timeout: 2s}
                  detection: {window: 10m, horizon: 15m, minSamples: 10, warmup: 0s}
                  remediation: {cooldown: 1m, maxPerHour: 60, maxConcurrent: 5}
                  diagnostics: {threadDump: {enabled: %s}}
                """.formatted(name, namespace, name, runtime, source, runtime.equals("Go"));
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
    private static double[] breachToEviction(List<Path> operatorLogs, Path audit) throws Exception {
        Map<String, Long> leaking = new java.util.HashMap<>();
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
        List<String> lines = new ArrayList<>();
        for (Path log : operatorLogs) {
            lines.addAll(Files.readAllLines(log));
        }
        for (String line : lines) {
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

    /** The time the operator's JVM spent in collector pauses (Micrometer's jvm_gc_pause_seconds), all collectors. */
    private static double gcPauseSeconds(Map<String, Double> metrics) {
        return metrics.entrySet().stream().filter(e -> e.getKey().startsWith("jvm_gc_pause_seconds_sum"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The operator's scrapes over the measurement by outcome (ok, timeout, throttled, ...): where lost scrapes went. */
    private static void printScrapeOutcomes(int operator, Map<String, Double> before, Map<String, Double> after) {
        StringBuilder line = new StringBuilder();
        after.forEach((key, value) -> {
            if (key.startsWith("leakguard_scrapes_total{")) {
                double n = value - before.getOrDefault(key, 0.0);
                int at = key.indexOf("outcome=\"");
                String outcome = at < 0 ? key : key.substring(at + 9, key.indexOf('"', at + 9));
                line.append(line.isEmpty() ? "" : ", ").append(outcome).append(' ').append((long) n);
            }
        });
        System.out.printf(Locale.ROOT, "operator %d scrapes over the measurement by outcome: %s%n", operator, line);
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
                + " | evicted / leaking | pods watched twice / never | time in GC pauses |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Figures f : all) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f (%.1fx idle) | %.0f (%.2fx) | %.0f | %.2f / %.2f | %d | %.1f%% | %s | %.2f / %.2f | %d | %d / %d | %d / %d | %.1f%% |%n",
                    f.pods() == 0 ? "idle" : Integer.toString(f.pods()), f.policies(), f.cores(), f.cores() / idle.cores(),
                    f.rssMiB(), f.rssMiB() / idle.rssMiB(), f.heapAfterGcMiB(), f.latenessP50(), f.latenessP99(), f.overruns(),
                    100 * f.lostShare(), verbs(f.requestsPerSecond()), f.breachP50(), f.breachP99(), f.waited(), f.evicted(),
                    f.leaking(), f.watchedTwice(), f.neverWatched(), 100 * f.gcShare());
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
