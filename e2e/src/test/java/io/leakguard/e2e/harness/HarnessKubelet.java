package io.leakguard.e2e.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * The one simulated part of the end-to-end cluster: a node agent in the kubelet's place. It registers a
 * Ready Node and renews its Lease, and runs each container of the pods the real scheduler binds to it
 * as a real local process in a memory cgroup with the container's limit (so the kernel's OOM killer is
 * real). Each pod gets its own loopback address as its pod IP. It reports status as a kubelet does
 * (phase, conditions, Ready from the readiness probe, container states and restart counts, last state
 * {@code OOMKilled} with exit code 137), restarts a container the kernel kills in place, and on a
 * deletion timestamp sends SIGTERM, waits the grace period, sends SIGKILL, then deletes the pod with
 * grace 0. Images map to local programs through {@link #image}. What it does not do: liveness probes,
 * volumes (a pod's ServiceAccount token is written to a kubeconfig file the program is pointed at),
 * users and read-only root filesystems, networking beyond the loopback address.
 */
public final class HarnessKubelet implements AutoCloseable {

    /** What the kubelet knows when it starts a container. */
    public record Launch(Pod pod, Container container, String podIp, int index, Path kubeconfig) {
        public String namespace() {
            return pod.getMetadata().getNamespace();
        }

        public int port() {
            List<ContainerPort> ports = container.getPorts();
            return ports == null || ports.isEmpty() ? 0 : ports.get(0).getContainerPort();
        }
    }

    /** A local program standing for an image: its command line and extra environment for one container. */
    public interface Program {
        List<String> argv(Launch launch) throws Exception;

        default Map<String, String> env(Launch launch) {
            return Map.of();
        }
    }

    /** One life of one container, as it ended. */
    public record Life(String namespace, String pod, Instant started, Instant ended, CgroupProcess.Ending ending) {
    }

    private final class Running {
        final Pod pod;
        final String ip;
        final int index;
        final Path kubeconfig;
        volatile CgroupProcess process;
        volatile Instant started;
        volatile int restarts;
        volatile boolean terminating;
        volatile boolean ready;

        Running(Pod pod, String ip, int index, Path kubeconfig) {
            this.pod = pod;
            this.ip = ip;
            this.index = index;
            this.kubeconfig = kubeconfig;
        }
    }

    public static final String NODE = "harness-node";
    private static final HttpClient PROBES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final KubernetesClient client;
    private final ControlPlane plane;
    private final Path logs;
    private final Map<String, Program> programs = new ConcurrentHashMap<>();
    private final Map<String, Running> pods = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> indexes = new ConcurrentHashMap<>();
    /**
     * Pod IPs are unique in the JVM (test classes run side by side, each with its cluster) and, through
     * the second octet, across the JVMs of one machine.
     */
    private static final AtomicInteger ADDRESSES = new AtomicInteger();
    private static final int SUBNET = 10 + (int) (ProcessHandle.current().pid() % 200);
    public final List<Life> lives = new CopyOnWriteArrayList<>();
    private final ExecutorService work = Executors.newCachedThreadPool();
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    private SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    private HarnessKubelet(ControlPlane plane, Path logs) {
        this.client = plane.admin();
        this.plane = plane;
        this.logs = logs;
    }

    /** Registers the node and starts serving the pods bound to it. */
    public static HarnessKubelet start(ControlPlane plane, Path logs) throws IOException {
        Files.createDirectories(logs);
        HarnessKubelet kubelet = new HarnessKubelet(plane, logs);
        kubelet.register();
        kubelet.informer = kubelet.client.pods().inAnyNamespace().withField("spec.nodeName", NODE)
                .inform(kubelet.new Handler(), 0);
        return kubelet;
    }

    /** Runs containers whose image starts with {@code imagePrefix} as {@code program}. */
    public HarnessKubelet image(String imagePrefix, Program program) {
        programs.put(imagePrefix, program);
        return this;
    }

    private void register() {
        try {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                    .addToLabels("kubernetes.io/hostname", NODE).addToLabels("kubernetes.io/os", "linux").endMetadata()
                    .build()).create();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            // A busy API server can time out a create it then completes; the client retries and meets a
            // 409 AlreadyExists for its own Node, as a kubelet registering again does: the Node is there.
            if (e.getCode() != 409) {
                throw e;
            }
        }
        // The node-lifecycle controller writes the new Node too (taints, annotations), so the status write
        // can meet a 409 Conflict on its resourceVersion: a kubelet reads the Node again and retries.
        onConflictRetry(() -> client.nodes().withName(NODE).editStatus(node -> {
            Map<String, Quantity> capacity = Map.of("cpu", new Quantity("32"), "memory", new Quantity("64Gi"),
                    "pods", new Quantity("500"), "ephemeral-storage", new Quantity("100Gi"));
            node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().withCapacity(capacity)
                    .withAllocatable(capacity).withConditions(nodeConditions())
                    .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                    .addNewAddress().withType("Hostname").withAddress(NODE).endAddress()
                    .withNewNodeInfo().withKubeletVersion("v1.36.3-harness").withOperatingSystem("linux")
                    .withArchitecture("amd64").withContainerRuntimeVersion("harness://local-processes")
                    .withKernelVersion(System.getProperty("os.version")).withOsImage("harness").withKubeProxyVersion("")
                    .withMachineID("harness").withSystemUUID("harness").withBootID("harness").endNodeInfo().build());
            return node;
        }));
        renewLease();
        heartbeat.scheduleWithFixedDelay(this::beat, 5, 5, TimeUnit.SECONDS);
    }

    /** Runs a read-modify-write again, on a fresh read, while the API server answers 409 Conflict. */
    public static void onConflictRetry(Runnable write) {
        for (int attempt = 1;; attempt++) {
            try {
                write.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static List<NodeCondition> nodeConditions() {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<NodeCondition> conditions = new ArrayList<>();
        for (String type : List.of("MemoryPressure", "DiskPressure", "PIDPressure")) {
            conditions.add(new NodeConditionBuilder().withType(type).withStatus("False").withReason("KubeletHasNo" + type)
                    .withLastHeartbeatTime(now).withLastTransitionTime(now).build());
        }
        conditions.add(new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("harness node agent is posting ready status").withLastHeartbeatTime(now)
                .withLastTransitionTime(now).build());
        return conditions;
    }

    /** The node Lease every 5 s and the Ready heartbeat, as the node-lifecycle controller expects. */
    private void beat() {
        try {
            renewLease();
            client.nodes().withName(NODE).editStatus(node -> {
                String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
                node.getStatus().getConditions().forEach(c -> c.setLastHeartbeatTime(now));
                return node;
            });
        } catch (RuntimeException e) {
            if (!closed) {
                System.err.println("harness kubelet: heartbeat failed: " + e);
            }
        }
    }

    private void renewLease() {
        renewLease(client, NODE);
    }

    /** Renews (or creates) a node's Lease in kube-node-lease, as a kubelet does, so that the node stays Ready. */
    public static void renewLease(KubernetesClient client, String node) {
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        var leases = client.resources(Lease.class).inNamespace("kube-node-lease");
        Lease lease = leases.withName(node).get();
        if (lease == null) {
            leases.resource(new LeaseBuilder().withNewMetadata().withName(node).endMetadata().withNewSpec()
                    .withHolderIdentity(node).withLeaseDurationSeconds(40).withRenewTime(now).endSpec().build()).create();
        } else {
            lease.getSpec().setRenewTime(now);
            leases.resource(lease).update();
        }
    }

    private final class Handler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            seen(pod);
        }

        @Override
        public void onUpdate(Pod old, Pod pod) {
            seen(pod);
        }

        @Override
        public void onDelete(Pod pod, boolean unknownFinalState) {
            Running running = pods.remove(key(pod));
            if (running != null && running.process != null) {
                work.submit(() -> {
                    running.terminating = true;
                    stop(running, Duration.ZERO);
                    return null;
                });
            }
        }
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private synchronized void seen(Pod pod) {
        if (closed) {
            return;
        }
        String key = key(pod);
        Running running = pods.get(key);
        if (running != null && !running.pod.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
            running = null; // a new pod of the same name
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (running == null) {
                work.submit(() -> deleteNow(pod));
            } else if (!running.terminating) {
                running.terminating = true;
                Running going = running;
                long grace = pod.getMetadata().getDeletionGracePeriodSeconds() == null ? 30
                        : pod.getMetadata().getDeletionGracePeriodSeconds();
                work.submit(() -> {
                    stop(going, Duration.ofSeconds(grace));
                    deleteNow(pod);
                    return null;
                });
            }
            return;
        }
        if (running == null && "Pending".equals(phase(pod))) {
            String app = pod.getMetadata().getLabels() == null ? "" : pod.getMetadata().getLabels().getOrDefault("app", "");
            int index = indexes.computeIfAbsent(pod.getMetadata().getNamespace() + "/" + app, k -> new AtomicInteger())
                    .getAndIncrement();
            int n = ADDRESSES.incrementAndGet();
            Running starting = new Running(pod, "127." + SUBNET + "." + (n / 250) + "." + (n % 250 + 1), index,
                    logs.resolve(pod.getMetadata().getNamespace() + "-" + pod.getMetadata().getName() + ".kubeconfig"));
            pods.put(key, starting);
            work.submit(() -> {
                startPod(starting);
                return null;
            });
        }
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    private void startPod(Running running) {
        Pod pod = running.pod;
        Container container = pod.getSpec().getContainers().get(0);
        try {
            Program program = programs.entrySet().stream().filter(e -> container.getImage().startsWith(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (program == null) {
                writeStatus(running, status -> waiting(status, container, "ErrImagePull",
                        "the harness node maps no local program to image " + container.getImage()));
                return;
            }
            String token = client.serviceAccounts().inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName())
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L)
                            .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                            .withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build())
                    .getStatus().getToken();
            Files.writeString(running.kubeconfig, plane.kubeconfigForToken(token, pod.getMetadata().getNamespace()));
            run(running, program, container);
        } catch (Exception e) {
            if (!closed) {
                System.err.println("harness kubelet: starting " + key(pod) + " failed: " + e);
                writeStatus(running, status -> waiting(status, container, "CreateContainerError", String.valueOf(e.getMessage())));
            }
        }
    }

    private static Pod waiting(Pod pod, Container container, String reason, String message) {
        pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(container.getName())
                .withImage(container.getImage()).withReady(false).withRestartCount(0).withNewState().withNewWaiting()
                .withReason(reason).withMessage(message).endWaiting().endState().build()));
        return pod;
    }

    private void run(Running running, Program program, Container container) throws Exception {
        Pod pod = running.pod;
        Launch launch = new Launch(pod, container, running.ip, running.index, running.kubeconfig);
        String name = pod.getMetadata().getNamespace() + "-" + pod.getMetadata().getName();
        Path log = log(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), running.restarts);
        long limit = container.getResources() != null && container.getResources().getLimits() != null
                && container.getResources().getLimits().get("memory") != null
                ? Quantity.getAmountInBytes(container.getResources().getLimits().get("memory")).longValue()
                : 64L * 1024 * 1024 * 1024;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        env.put("KUBECONFIG", running.kubeconfig.toString());
        env.put("HOSTNAME", pod.getMetadata().getName());
        if (container.getEnv() != null) {
            for (EnvVar var : container.getEnv()) {
                env.put(var.getName(), resolve(var, running));
            }
        }
        env.putAll(program.env(launch));
        CgroupProcess process = CgroupProcess.start(name + "-" + running.restarts, limit, program.argv(launch), log, env);
        running.process = process;
        running.started = Instant.now();
        running.ready = false;
        int restarts = running.restarts;
        process.whenEnded(ending -> {
            if (running.terminating || closed) {
                return;
            }
            lives.add(new Life(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), running.started, Instant.now(), ending));
            work.submit(() -> {
                restartInPlace(running, program, container, ending, restarts);
                return null;
            });
        });
        writeStatus(running, p -> running(p, running, container, null));
        work.submit(() -> {
            probe(running, container, process);
            return null;
        });
    }

    /** The kubelet's answer to a container that ended under restartPolicy Always: the same pod, a new container. */
    private void restartInPlace(Running running, Program program, Container container, CgroupProcess.Ending ending,
            int restarts) throws Exception {
        ContainerState last = new ContainerStateBuilder().withNewTerminated()
                .withReason(ending == CgroupProcess.Ending.OomKilled ? "OOMKilled" : "Error")
                .withExitCode(ending == CgroupProcess.Ending.OomKilled ? 137 : 1)
                .withStartedAt(running.started.truncatedTo(ChronoUnit.SECONDS).toString())
                .withFinishedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).endTerminated().build();
        running.restarts = restarts + 1;
        running.ready = false;
        writeStatus(running, p -> running(p, running, container, last));
        // The kubelet's back-off: the first restart at once, then 10 s, doubling up to 5 minutes.
        long backoff = restarts == 0 ? 0 : Math.min(300, 10L << Math.min(restarts - 1, 5));
        Thread.sleep(backoff * 1000);
        if (!running.terminating && !closed) {
            run(running, program, container);
            writeStatus(running, p -> running(p, running, container, last));
        }
    }

    /** Ready once the readiness probe (an HTTP GET on the pod IP) answers 2xx; at once without one. */
    private void probe(Running running, Container container, CgroupProcess process) throws InterruptedException {
        var readiness = container.getReadinessProbe();
        if (readiness != null && readiness.getHttpGet() != null) {
            IntOrString port = readiness.getHttpGet().getPort();
            int number = port.getIntVal() != null ? port.getIntVal()
                    : container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                            .orElseThrow().getContainerPort();
            URI uri = URI.create("http://" + running.ip + ":" + number + readiness.getHttpGet().getPath());
            while (!closed && running.process == process && process.ending() == CgroupProcess.Ending.Running) {
                try {
                    int code = PROBES.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (code >= 200 && code < 400) {
                        break;
                    }
                } catch (IOException e) {
                    // not serving yet
                }
                Thread.sleep(500);
            }
        }
        if (closed || running.process != process || process.ending() != CgroupProcess.Ending.Running || running.terminating) {
            return;
        }
        running.ready = true;
        writeStatus(running, p -> running(p, running, container, null));
    }

    private Pod running(Pod pod, Running running, Container container, ContainerState last) {
        var status = pod.getStatus();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        status.setPhase("Running");
        status.setPodIP(running.ip);
        status.setPodIPs(List.of(new PodIP(running.ip)));
        status.setHostIP("127.0.0.1");
        if (status.getStartTime() == null) {
            status.setStartTime(now);
        }
        ContainerStatus previous = status.getContainerStatuses() == null || status.getContainerStatuses().isEmpty() ? null
                : status.getContainerStatuses().get(0);
        ContainerStatusBuilder container2 = new ContainerStatusBuilder().withName(container.getName())
                .withImage(container.getImage()).withImageID(container.getImage())
                .withContainerID("harness://" + (running.process == null ? 0 : running.process.pid()))
                .withRestartCount(running.restarts).withReady(running.ready).withStarted(true)
                .withState(new ContainerStateBuilder().withNewRunning()
                        .withStartedAt(running.started.truncatedTo(ChronoUnit.SECONDS).toString()).endRunning().build());
        if (last != null) {
            container2.withLastState(last);
        } else if (previous != null && previous.getLastState() != null) {
            container2.withLastState(previous.getLastState());
        }
        status.setContainerStatuses(List.of(container2.build()));
        String ready = running.ready ? "True" : "False";
        status.setConditions(mergeConditions(status.getConditions(), Map.of("Initialized", "True",
                "ContainersReady", ready, "Ready", ready, "PodReadyToStartContainers", "True"), now));
        return pod;
    }

    private static List<PodCondition> mergeConditions(List<PodCondition> current, Map<String, String> wanted, String now) {
        Map<String, PodCondition> byType = new LinkedHashMap<>();
        if (current != null) {
            current.forEach(c -> byType.put(c.getType(), c));
        }
        wanted.forEach((type, value) -> {
            PodCondition existing = byType.get(type);
            if (existing == null || !value.equals(existing.getStatus())) {
                byType.put(type, new PodConditionBuilder().withType(type).withStatus(value).withLastTransitionTime(now).build());
            }
        });
        return new ArrayList<>(byType.values());
    }

    private String resolve(EnvVar var, Running running) {
        if (var.getValueFrom() == null) {
            return var.getValue() == null ? "" : var.getValue();
        }
        var from = var.getValueFrom();
        Pod pod = running.pod;
        if (from.getFieldRef() != null) {
            return switch (from.getFieldRef().getFieldPath()) {
                case "metadata.namespace" -> pod.getMetadata().getNamespace();
                case "metadata.name" -> pod.getMetadata().getName();
                case "metadata.uid" -> pod.getMetadata().getUid();
                case "spec.nodeName" -> NODE;
                case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
                case "status.podIP" -> running.ip;
                case "status.hostIP" -> "127.0.0.1";
                default -> throw new IllegalArgumentException("the harness node cannot resolve fieldRef "
                        + from.getFieldRef().getFieldPath());
            };
        }
        if (from.getSecretKeyRef() != null) {
            var secret = client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(from.getSecretKeyRef().getName()).get();
            return new String(java.util.Base64.getDecoder().decode(secret.getData().get(from.getSecretKeyRef().getKey())));
        }
        if (from.getConfigMapKeyRef() != null) {
            return client.configMaps().inNamespace(pod.getMetadata().getNamespace())
                    .withName(from.getConfigMapKeyRef().getName()).get().getData().get(from.getConfigMapKeyRef().getKey());
        }
        throw new IllegalArgumentException("the harness node cannot resolve env " + var.getName());
    }

    /** SIGTERM, the grace period, SIGKILL; the life is recorded. */
    private void stop(Running running, Duration grace) throws InterruptedException {
        CgroupProcess process = running.process;
        if (process == null) {
            return;
        }
        process.terminate(grace);
        lives.add(new Life(running.pod.getMetadata().getNamespace(), running.pod.getMetadata().getName(), running.started,
                Instant.now(), process.ending()));
        try {
            process.close();
        } catch (Exception e) {
            // the cgroup goes when its last process has gone
        }
    }

    private Void deleteNow(Pod pod) {
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (!closed && e.getCode() != 404) {
                System.err.println("harness kubelet: deleting " + key(pod) + " failed: " + e);
            }
        }
        pods.remove(key(pod));
        return null;
    }

    private void writeStatus(Running running, UnaryOperator<Pod> change) {
        Pod pod = running.pod;
        for (int attempt = 0; attempt < 10 && !closed; attempt++) {
            try {
                Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
                if (current == null || !current.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
                    return;
                }
                if (current.getStatus() == null) {
                    current.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
                }
                client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(change.apply(current)).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    if (!closed && e.getCode() != 404) {
                        System.err.println("harness kubelet: status of " + key(pod) + " failed: " + e);
                    }
                    return;
                }
            }
        }
    }

    /** A container's log: {@code restarts} 0 for its first life. */
    public Path log(String namespace, String pod, int restarts) {
        return logs.resolve(namespace + "-" + pod + (restarts == 0 ? "" : "-" + restarts) + ".log");
    }

    /** The running process of a pod's container, or null. */
    public CgroupProcess process(String namespace, String pod) {
        Running running = pods.get(namespace + "/" + pod);
        return running == null ? null : running.process;
    }

    /** The pod IP the kubelet gave a pod, or null. */
    public String podIp(String namespace, String pod) {
        Running running = pods.get(namespace + "/" + pod);
        return running == null ? null : running.ip;
    }

    /** The lives of a namespace's containers that have ended, oldest first. */
    public List<Life> lives(String namespace) {
        return lives.stream().filter(l -> l.namespace().equals(namespace)).toList();
    }

    /** The pods of a namespace this kubelet runs, in the order it started them. */
    public List<String> pods(String namespace) {
        Map<Integer, String> byIndex = new java.util.TreeMap<>();
        pods.values().stream().filter(r -> r.pod.getMetadata().getNamespace().equals(namespace))
                .forEach(r -> byIndex.put(addressOrder(r), r.pod.getMetadata().getName()));
        return List.copyOf(byIndex.values());
    }

    private static int addressOrder(Running running) {
        String[] parts = running.ip.split("\\.");
        return Integer.parseInt(parts[2]) * 250 + Integer.parseInt(parts[3]);
    }

    @Override
    public void close() throws Exception {
        closed = true;
        if (informer != null) {
            informer.close();
        }
        heartbeat.shutdownNow();
        for (Running running : pods.values()) {
            if (running.process != null) {
                running.process.close();
            }
        }
        work.shutdownNow();
    }
}
