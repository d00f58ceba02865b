package io.leakguard.operator.tracking;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * The Pod as the operator's cache keeps it: only what tracking, the planner and the evictions read
 * (identity, labels, owners, deletion, the containers' names, ports and limits, host networking, and
 * the status a pod's life and readiness are read from). Managed fields, annotations (a last-applied configuration can be most of a Pod), environment,
 * commands, volumes and scheduling are dropped, so a watched namespace's Pods cost the operator little
 * memory however big a team makes them.
 */
public final class PodTrim {

    private PodTrim() {
    }

    /**
     * Every model object carries a map of the fields its class does not know, empty here; the shared empty
     * map in its place saves twenty maps a pod (1.4 KB, 14 MB at 10,000 pods). Nothing writes to a cached Pod.
     */
    private static final Map<String, Object> NONE = Map.of();

    public static Pod trim(Pod pod) {
        ObjectMeta m = pod.getMetadata();
        Pod trimmed = new Pod();
        trimmed.setAdditionalProperties(NONE);
        trimmed.setApiVersion(pod.getApiVersion());
        trimmed.setKind(pod.getKind());
        trimmed.setMetadata(m == null ? null : new ObjectMetaBuilder().withName(m.getName()).withNamespace(intern(m.getNamespace()))
                .withUid(m.getUid()).withResourceVersion(m.getResourceVersion()).withGeneration(m.getGeneration())
                .withLabels(internAll(m.getLabels())).withOwnerReferences(m.getOwnerReferences())
                .withCreationTimestamp(m.getCreationTimestamp()).withDeletionTimestamp(m.getDeletionTimestamp())
                .withDeletionGracePeriodSeconds(m.getDeletionGracePeriodSeconds()).build());
        if (trimmed.getMetadata() != null) {
            trimmed.getMetadata().setAdditionalProperties(NONE);
            if (trimmed.getMetadata().getOwnerReferences() != null) {
                trimmed.getMetadata().getOwnerReferences().forEach(o -> o.setAdditionalProperties(NONE));
            }
        }
        PodSpec spec = pod.getSpec();
        if (spec != null) {
            PodSpec kept = new PodSpec();
            kept.setAdditionalProperties(NONE);
            kept.setHostNetwork(spec.getHostNetwork());
            kept.setNodeName(spec.getNodeName());
            kept.setContainers(spec.getContainers() == null ? null : spec.getContainers().stream().map(PodTrim::container).toList());
            trimmed.setSpec(kept);
        }
        trimmed.setStatus(status(pod.getStatus()));
        return trimmed;
    }

    /**
     * Phase, IP, start time, the Ready condition, and per container its name, restarts, container ID and
     * start: what a pod's life and readiness are read from. Images, other conditions, messages and the
     * last state are dropped (at 10,000 pods they were most of the cache). Repeated words are interned.
     */
    private static PodStatus status(PodStatus status) {
        if (status == null) {
            return null;
        }
        PodStatus kept = new PodStatus();
        kept.setAdditionalProperties(NONE);
        kept.setPhase(intern(status.getPhase()));
        kept.setPodIP(status.getPodIP());
        kept.setStartTime(status.getStartTime());
        if (status.getConditions() != null) {
            kept.setConditions(status.getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                    .map(c -> {
                        PodCondition ready = new PodCondition();
                        ready.setAdditionalProperties(NONE);
                        ready.setType("Ready");
                        ready.setStatus(intern(c.getStatus()));
                        return ready;
                    }).toList());
        }
        if (status.getContainerStatuses() != null) {
            kept.setContainerStatuses(status.getContainerStatuses().stream().map(PodTrim::containerStatus).toList());
        }
        return kept;
    }

    private static ContainerStatus containerStatus(ContainerStatus c) {
        ContainerStatus kept = new ContainerStatus();
        kept.setAdditionalProperties(NONE);
        kept.setName(intern(c.getName()));
        kept.setRestartCount(c.getRestartCount());
        kept.setContainerID(c.getContainerID());
        if (c.getState() != null && c.getState().getRunning() != null) {
            ContainerState state = new ContainerState();
            state.setAdditionalProperties(NONE);
            ContainerStateRunning running = new ContainerStateRunning(c.getState().getRunning().getStartedAt());
            running.setAdditionalProperties(NONE);
            state.setRunning(running);
            kept.setState(state);
        }
        return kept;
    }

    private static Container container(Container c) {
        ResourceRequirements resources = null;
        if (c.getResources() != null && c.getResources().getLimits() != null) {
            resources = new ResourceRequirements();
            resources.setLimits(c.getResources().getLimits());
            resources.getLimits().values().forEach(q -> q.setAdditionalProperties(NONE));
        }
        // The builder copies what it is given: the copies are the ones kept.
        Container kept = new ContainerBuilder().withName(intern(c.getName())).withPorts(c.getPorts() == null ? List.of() : c.getPorts())
                .withResources(resources).build();
        kept.setAdditionalProperties(NONE);
        kept.getPorts().forEach(p -> p.setAdditionalProperties(NONE));
        if (kept.getResources() != null) {
            kept.getResources().setAdditionalProperties(NONE);
        }
        return kept;
    }

    private static String intern(String s) {
        return s == null ? null : s.intern();
    }

    private static Map<String, String> internAll(Map<String, String> labels) {
        if (labels == null) {
            return null;
        }
        Map<String, String> kept = new LinkedHashMap<>(labels.size() * 4 / 3 + 1);
        labels.forEach((k, v) -> kept.put(intern(k), intern(v)));
        return kept;
    }
}
