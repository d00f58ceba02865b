package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Plays ReplicaSet and kubelet for one workload: each pod is a real local process in its own memory
 * cgroup, listening on its own loopback port; the Pod object's IP (127.0.0.1) and container port point
 * at it. An evicted pod is marked terminating, gets SIGTERM, its grace period, then SIGKILL, and a
 * replacement, as a ReplicaSet makes one. A process the kernel OOM-kills is recorded as such and
 * restarted in place, as the kubelet does: the same pod, its container's restartCount one higher and
 * its last state {@code OOMKilled}.
 */
public final class WorkloadSimulator implements AutoCloseable {

    /** One life of one pod, as it ended. */
    public record Life(String pod, Instant started, Instant ended, CgroupProcess.Ending ending) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String workload;
    private final long limitBytes;
    private final IntFunction<List<String>> command;
    private final Path logs;
    private final Map<String, CgroupProcess> processes = new ConcurrentHashMap<>();
    private final Map<String, Instant> started = new ConcurrentHashMap<>();
    private final Map<String, List<String>> argvs = new ConcurrentHashMap<>();
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private volatile Path prometheusTargets;
    public final List<Life> lives = new CopyOnWriteArrayList<>();
    public final List<String> evictions = new CopyOnWriteArrayList<>();
    private final ExecutorService kubelet = Executors.newCachedThreadPool();
    private volatile boolean closed;
    private int created;

    /**
     * @param command the pod's command, given its index in creation order (0 is the first pod)
     */
    public WorkloadSimulator(KubernetesClient client, EvictingCrudDispatcher dispatcher, String namespace,
            String workload, long limitBytes, IntFunction<List<String>> command, Path logs) {
        this.client = client;
        this.namespace = namespace;
        this.workload = workload;
        this.limitBytes = limitBytes;
        this.command = command;
        this.logs = logs;
        dispatcher.onEvicted(pod -> {
            // Every simulator hears every eviction; each counts and acts on its own pods only. Every
            // accepted eviction is counted, a second one of a pod already going included.
            if (namespace.equals(pod.getMetadata().getNamespace()) && pod.getMetadata().getLabels() != null
                    && workload.equals(pod.getMetadata().getLabels().get("app"))) {
                evictions.add(pod.getMetadata().getName());
                if (processes.containsKey(pod.getMetadata().getName())) {
                    kubelet.submit(() -> evicted(pod));
                }
            }
        });
    }

    /**
     * Writes this workload's pods as Prometheus file_sd targets into {@code dir}, labelled with their
     * namespace and pod, whenever they change.
     */
    public WorkloadSimulator withPrometheusTargets(Path dir) {
        this.prometheusTargets = dir;
        return this;
    }

    /** Starts the next pod: its process in a new cgroup, then its Pod object, Running and Ready. */
    public synchronized String launch() throws Exception {
        int index = created++;
        String name = workload + "-" + UUID.randomUUID().toString().substring(0, 5);
        int port = LocalProcesses.freePort();
        List<String> argv = new java.util.ArrayList<>(command.apply(index));
        argv.addAll(List.of("-listen", "127.0.0.1:" + port));
        argvs.put(name, argv);
        ports.put(name, port);
        CgroupProcess process = run(name, 0);
        client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withUid(UUID.randomUUID().toString())
                .addToLabels("app", workload)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(workload)
                .withUid("rs-" + workload).withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(10L).addNewContainer().withName("app")
                .withImage("leaky:local").addNewPort().withName("metrics").withContainerPort(port).endPort()
                .withNewResources().addToLimits("memory", new Quantity(String.valueOf(limitBytes))).endResources()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").withStartTime(Instant.now().toString())
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("app").withRestartCount(0).withContainerID("local://" + process.pid())
                .withReady(true).withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning()
                .endState().endContainerStatus().endStatus()
                .build()).create();
        writeTargets();
        return name;
    }

    /** Runs the pod's process (again, after an OOM kill) and waits until it serves. */
    private CgroupProcess run(String name, int restarts) throws Exception {
        CgroupProcess process = CgroupProcess.start(name + "-" + restarts, limitBytes, argvs.get(name),
                logs.resolve(name + (restarts == 0 ? "" : "-" + restarts) + ".log"));
        processes.put(name, process);
        started.put(name, Instant.now());
        LocalProcesses.await("pod " + name, process.process(), "http://127.0.0.1:" + ports.get(name) + "/healthz",
                logs.resolve(name + (restarts == 0 ? "" : "-" + restarts) + ".log"), Duration.ofSeconds(10));
        process.whenEnded(ending -> {
            if (ending == CgroupProcess.Ending.OomKilled && !closed) {
                lives.add(new Life(name, started.get(name), Instant.now(), ending));
                kubelet.submit(() -> restartInPlace(name, restarts + 1));
            }
        });
        return process;
    }

    /** The kubelet's answer to an OOM kill under restartPolicy Always: the same pod, a new container. */
    private void restartInPlace(String name, int restarts) {
        try {
            if (closed || processes.get(name) == null) {
                return;
            }
            CgroupProcess process = run(name, restarts);
            client.pods().inNamespace(namespace).withName(name).editStatus(pod -> {
                var status = pod.getStatus().getContainerStatuses().get(0);
                status.setRestartCount(restarts);
                status.setContainerID("local://" + process.pid());
                status.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
                        .withReason("OOMKilled").withExitCode(137).withFinishedAt(Instant.now().toString())
                        .endTerminated().build());
                status.getState().getRunning().setStartedAt(Instant.now().toString());
                return pod;
            });
        } catch (Exception e) {
            if (!closed) {
                throw new IllegalStateException("restarting OOM-killed pod " + name, e);
            }
        }
    }

    private void writeTargets() {
        Path dir = prometheusTargets;
        if (dir == null) {
            return;
        }
        List<Map<String, Object>> targets = new java.util.ArrayList<>();
        ports.forEach((pod, port) -> {
            if (processes.containsKey(pod)) {
                targets.add(Map.of("targets", List.of("127.0.0.1:" + port), "labels", Map.of("namespace", namespace, "pod", pod)));
            }
        });
        try {
            // Written aside and moved, so Prometheus never reads half a file.
            Path tmp = dir.resolve("." + namespace + "-" + workload + ".tmp");
            java.nio.file.Files.writeString(tmp, io.fabric8.kubernetes.client.utils.Serialization.asJson(targets));
            java.nio.file.Files.move(tmp, dir.resolve(namespace + "-" + workload + ".json"),
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void evicted(Pod pod) {
        String name = pod.getMetadata().getName();
        CgroupProcess process = processes.remove(name);
        if (process == null) {
            return; // a second eviction of a pod already going: the kubelet is on it
        }
        try {
            // The API server marks an evicted pod terminating at once; the kubelet then stops it.
            long grace = pod.getSpec().getTerminationGracePeriodSeconds();
            client.pods().inNamespace(namespace).withName(name).edit(p -> {
                p.getMetadata().setDeletionTimestamp(Instant.now().plusSeconds(grace).toString());
                p.getMetadata().setDeletionGracePeriodSeconds(grace);
                return p;
            });
            writeTargets();
            process.terminate(Duration.ofSeconds(grace));
            lives.add(new Life(name, started.get(name), Instant.now(), process.ending()));
            process.close();
            client.pods().inNamespace(namespace).withName(name).delete();
            if (!closed) {
                launch();
            }
        } catch (Exception e) {
            throw new IllegalStateException("replacing evicted pod " + name, e);
        }
    }

    /** The running process of {@code pod}, or null. */
    public CgroupProcess process(String pod) {
        return processes.get(pod);
    }

    public List<String> podNames() {
        return List.copyOf(processes.keySet());
    }

    @Override
    public void close() throws Exception {
        closed = true;
        for (CgroupProcess process : processes.values()) {
            process.close();
        }
        kubelet.shutdownNow();
    }
}
