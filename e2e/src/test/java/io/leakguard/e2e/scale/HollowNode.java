package io.leakguard.e2e.scale;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.leakguard.e2e.harness.HarnessKubelet;

/**
 * A node that runs nothing, as kwok's are: it is Ready and renews its Lease, the pods bound to it are
 * given Running and Ready status with the IP the benchmark chose (where the metrics farm serves them),
 * and a pod being deleted (an eviction) is removed at once, as a kubelet would once its container ended.
 */
final class HollowNode implements AutoCloseable {

    static final String NAME = "hollow-node";

    private final KubernetesClient client;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    private SharedIndexInformer<Pod> deletions;

    HollowNode(KubernetesClient client) {
        this.client = client;
    }

    void register() {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("10000"), "memory", new Quantity("100Ti"),
                "pods", new Quantity("100000"), "ephemeral-storage", new Quantity("100Ti"));
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NAME)
                .addToLabels("kubernetes.io/hostname", NAME).endMetadata().build()).create();
        // The node controller may write the new node's status first: on a conflict, read it again and retry.
        HarnessKubelet.onConflictRetry(() -> setStatus(capacity));
        heartbeat.scheduleWithFixedDelay(this::beat, 0, 5, TimeUnit.SECONDS);
        deletions = client.pods().inAnyNamespace().withField("spec.nodeName", NAME).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                seen(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }
        }, 0);
    }

    private void setStatus(Map<String, Quantity> capacity) {
        client.nodes().withName(NAME).editStatus(node -> {
            node.setStatus(new NodeStatusBuilder().withCapacity(capacity).withAllocatable(capacity)
                    .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                            .withLastHeartbeatTime(now()).withLastTransitionTime(now()).build())
                    .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                    .withNewNodeInfo().withKubeletVersion("v1.36.3-hollow").withOperatingSystem("linux")
                    .withArchitecture("amd64").withContainerRuntimeVersion("hollow://").withKernelVersion("")
                    .withOsImage("hollow").withKubeProxyVersion("").withMachineID("hollow").withSystemUUID("hollow")
                    .withBootID("hollow").endNodeInfo().build());
            return node;
        });
    }

    /** Running and Ready at {@code ip}, as a kubelet reports a started container. */
    void run(Pod pod, String ip) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).editStatus(p -> {
            var status = p.getStatus();
            status.setPhase("Running");
            status.setPodIP(ip);
            status.setPodIPs(List.of(new PodIP(ip)));
            status.setHostIP("127.0.0.1");
            status.setStartTime(now());
            status.setContainerStatuses(List.of(new ContainerStatusBuilder().withName("app").withImage("hollow")
                    .withImageID("hollow").withContainerID("hollow://" + ip).withReady(true).withStarted(true)
                    .withRestartCount(0).withState(new ContainerStateBuilder().withNewRunning().withStartedAt(now())
                            .endRunning().build()).build()));
            status.setConditions(List.of("Initialized", "ContainersReady", "Ready", "PodScheduled").stream()
                    .map(type -> new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now())
                            .build()).toList());
            return p;
        });
    }

    /**
     * Pods bound here by the scheduler (a ReplicaSet's, or their replacements after an eviction) are run
     * at the next address of {@code addresses}: the metrics farm serves those it was told of.
     */
    void runBoundPods(java.util.function.IntFunction<String> addresses) {
        this.addresses = addresses;
    }

    /** The address given to each running pod, by namespace/name. */
    java.util.Map<String, String> addresses() {
        return java.util.Map.copyOf(given);
    }

    private volatile java.util.function.IntFunction<String> addresses;
    private final java.util.Map<String, String> given = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.ExecutorService starting = Executors.newFixedThreadPool(8);

    private void startIfNew(Pod pod) {
        java.util.function.IntFunction<String> pool = addresses;
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        if (pool == null || pod.getMetadata().getDeletionTimestamp() != null || given.containsKey(key)) {
            return;
        }
        String ip = pool.apply(next.getAndIncrement());
        given.put(key, ip);
        starting.submit(() -> {
            try {
                run(pod, ip);
            } catch (RuntimeException e) {
                System.err.println("hollow node: could not start " + key + ": " + e);
            }
        });
    }

    /** A pod bound here: run it if it is new, remove it if it is being deleted. */
    private void seen(Pod pod) {
        startIfNew(pod);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        }
    }

    private void beat() {
        try {
            HarnessKubelet.renewLease(client, NAME);
            client.nodes().withName(NAME).editStatus(node -> {
                node.getStatus().getConditions().forEach(c -> c.setLastHeartbeatTime(now()));
                return node;
            });
        } catch (RuntimeException e) {
            System.err.println("hollow node: heartbeat failed: " + e);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        starting.shutdownNow();
        if (deletions != null) {
            deletions.close();
        }
    }
}
