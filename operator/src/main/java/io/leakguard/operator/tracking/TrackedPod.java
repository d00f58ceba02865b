package io.leakguard.operator.tracking;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * A pod a LeakPolicy watches, reduced to what sampling and judging need: where to scrape it, its
 * memory limit, and which life of it this is (a new uid or a container restart starts a new life,
 * and a new series: two lives are never joined into one trend).
 *
 * @param port the resolved port, or -1 when {@code targetProblem} says why it could not be
 * @param memoryLimitBytes the limit of the container serving metrics, or NaN when it has none
 */
public record TrackedPod(String namespace, String name, String uid, String podIp, String phase, String container,
        int port, String targetProblem, double memoryLimitBytes, String lifeKey, long lifeStartMillis,
        String workload) {

    /** Resolves a pod against the policy's metrics port (a number or a container port name). */
    public static TrackedPod of(Pod pod, IntOrString metricsPort) {
        List<Container> containers = pod.getSpec() == null || pod.getSpec().getContainers() == null ? List.of()
                : pod.getSpec().getContainers();
        Container serving = null;
        int port = -1;
        String problem = null;
        if (metricsPort == null || metricsPort.getIntVal() != null) {
            port = metricsPort == null ? -1 : metricsPort.getIntVal();
            for (Container c : containers) {
                if (c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getContainerPort() != null
                        && p.getContainerPort() == metricsPort.getIntVal())) {
                    serving = c;
                }
            }
        } else {
            for (Container c : containers) {
                Optional<ContainerPort> named = c.getPorts() == null ? Optional.empty()
                        : c.getPorts().stream().filter(p -> metricsPort.getStrVal().equals(p.getName())).findFirst();
                if (named.isPresent()) {
                    serving = c;
                    port = named.get().getContainerPort();
                }
            }
            if (serving == null) {
                problem = "no container port named '" + metricsPort.getStrVal()
                        + "'; name the metrics port or set spec.metrics.port to its number";
            }
        }
        if (serving == null && containers.size() > 0) {
            serving = containers.get(0);
        }
        double limit = Double.NaN;
        if (serving != null && serving.getResources() != null && serving.getResources().getLimits() != null) {
            Quantity memory = serving.getResources().getLimits().get("memory");
            if (memory != null) {
                limit = Quantity.getAmountInBytes(memory).doubleValue();
            }
        }
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (problem == null && (ip == null || ip.isBlank())) {
            problem = "the pod has no IP yet";
        }
        if (problem == null && pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            // Its IP is its node's: a namespace's policy must not make the operator reach node ports.
            problem = "the pod runs on the host network, so its IP is the node's; LeakGuard does not scrape node"
                    + " addresses (use source: Prometheus for it)";
        }
        String containerName = serving == null ? null : serving.getName();
        return new TrackedPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(),
                ip, pod.getStatus() == null ? null : pod.getStatus().getPhase(), containerName, port, problem, limit,
                lifeKey(pod, containerName), lifeStart(pod, containerName), workloadOf(pod));
    }

    private static Optional<ContainerStatus> status(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null || container == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().filter(s -> container.equals(s.getName())).findFirst();
    }

    private static String lifeKey(Pod pod, String container) {
        Optional<ContainerStatus> status = status(pod, container);
        return pod.getMetadata().getUid() + "/" + status.map(ContainerStatus::getRestartCount).orElse(0) + "/"
                + status.map(ContainerStatus::getContainerID).orElse("");
    }

    private static long lifeStart(Pod pod, String container) {
        Optional<String> started = status(pod, container)
                .filter(s -> s.getState() != null && s.getState().getRunning() != null)
                .map(s -> s.getState().getRunning().getStartedAt());
        String text = started.orElse(pod.getStatus() == null ? null : pod.getStatus().getStartTime());
        if (text == null) {
            text = pod.getMetadata().getCreationTimestamp();
        }
        try {
            return text == null ? 0 : Instant.parse(text).toEpochMilli();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The pod's controller as Kind/name (ReplicaSet/checkout-7c9f), or null for a bare pod. */
    public static String workloadOf(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return null;
        }
        return owners.stream().filter(o -> Boolean.TRUE.equals(o.getController()))
                .map(o -> o.getKind() + "/" + o.getName()).findFirst().orElse(null);
    }

    /** A Pod carrying only this pod's identity: what an Event's involvedObject needs. */
    public Pod reference() {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withUid(uid).endMetadata()
                .build();
    }

    public String key() {
        return namespace + "/" + name;
    }
}
