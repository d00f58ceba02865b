package io.leakguard.e2e.harness;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * at it. An evicted pod gets SIGTERM, its grace period, then SIGKILL, and a replacement; a process the
 * kernel OOM-kills is recorded as such (restarting it in place, as the kubelet would, is not done yet).
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
            if (namespace.equals(pod.getMetadata().getNamespace())) {
                evictions.add(pod.getMetadata().getName());
                kubelet.submit(() -> evicted(pod));
            }
        });
    }

    public synchronized String launch() throws Exception {
        int index = created++;
        String name = workload + "-" + UUID.randomUUID().toString().substring(0, 5);
        int port = freePort();
        List<String> argv = new java.util.ArrayList<>(command.apply(index));
        argv.addAll(List.of("-listen", "127.0.0.1:" + port));
        CgroupProcess process = CgroupProcess.start(name, limitBytes, argv, logs.resolve(name + ".log"));
        processes.put(name, process);
        started.put(name, Instant.now());
        waitServing(port);
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
        process.whenEnded(ending -> {
            if (ending == CgroupProcess.Ending.OomKilled && !closed) {
                lives.add(new Life(name, started.get(name), Instant.now(), ending));
            }
        });
        return name;
    }

    private void evicted(Pod pod) {
        String name = pod.getMetadata().getName();
        CgroupProcess process = processes.remove(name);
        try {
            if (process != null) {
                process.terminate(Duration.ofSeconds(pod.getSpec().getTerminationGracePeriodSeconds()));
                lives.add(new Life(name, started.get(name), Instant.now(), process.ending()));
                process.close();
            }
            client.pods().inNamespace(namespace).withName(name).delete();
            if (!closed) {
                launch();
            }
        } catch (Exception e) {
            throw new IllegalStateException("replacing evicted pod " + name, e);
        }
    }

    public List<String> podNames() {
        return List.copyOf(processes.keySet());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void waitServing(int port) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the workload did not start serving on port " + port);
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
