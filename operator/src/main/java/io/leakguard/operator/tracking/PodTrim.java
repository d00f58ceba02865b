package io.leakguard.operator.tracking;

import java.util.List;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * The Pod as the operator's cache keeps it: only what tracking, the planner and the evictions read
 * (identity, labels, owners, deletion, the containers' names, ports and limits, host networking, and
 * status). Managed fields, annotations (a last-applied configuration can be most of a Pod), environment,
 * commands, volumes and scheduling are dropped, so a watched namespace's Pods cost the operator little
 * memory however big a team makes them.
 */
public final class PodTrim {

    private PodTrim() {
    }

    public static Pod trim(Pod pod) {
        ObjectMeta m = pod.getMetadata();
        Pod trimmed = new Pod();
        trimmed.setApiVersion(pod.getApiVersion());
        trimmed.setKind(pod.getKind());
        trimmed.setMetadata(m == null ? null : new ObjectMetaBuilder().withName(m.getName()).withNamespace(m.getNamespace())
                .withUid(m.getUid()).withResourceVersion(m.getResourceVersion()).withGeneration(m.getGeneration())
                .withLabels(m.getLabels()).withOwnerReferences(m.getOwnerReferences())
                .withCreationTimestamp(m.getCreationTimestamp()).withDeletionTimestamp(m.getDeletionTimestamp())
                .withDeletionGracePeriodSeconds(m.getDeletionGracePeriodSeconds()).build());
        PodSpec spec = pod.getSpec();
        if (spec != null) {
            PodSpec kept = new PodSpec();
            kept.setHostNetwork(spec.getHostNetwork());
            kept.setNodeName(spec.getNodeName());
            kept.setContainers(spec.getContainers() == null ? null : spec.getContainers().stream().map(PodTrim::container).toList());
            trimmed.setSpec(kept);
        }
        trimmed.setStatus(pod.getStatus());
        return trimmed;
    }

    private static Container container(Container c) {
        return new ContainerBuilder().withName(c.getName()).withPorts(c.getPorts() == null ? List.of() : c.getPorts())
                .withResources(c.getResources()).build();
    }
}
