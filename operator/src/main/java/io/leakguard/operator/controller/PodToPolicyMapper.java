package io.leakguard.operator.controller;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.spec.PodSelector;
import io.leakguard.operator.tracking.PodRegistry;

/**
 * Maps a pod event to the policies that must look again: those whose selector matches the pod now,
 * and those that watched it before (so a relabelled or deleted pod leaves the old policy's count).
 */
public final class PodToPolicyMapper implements SecondaryToPrimaryMapper<Pod> {

    /** Lists the LeakPolicies of one namespace, from the operator's cache. */
    @FunctionalInterface
    public interface PoliciesInNamespace {
        Collection<LeakPolicy> list(String namespace);
    }

    private final PoliciesInNamespace policies;
    private final PodRegistry registry;

    public PodToPolicyMapper(PoliciesInNamespace policies, PodRegistry registry) {
        this.policies = policies;
        this.registry = registry;
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        Set<ResourceID> ids = new HashSet<>();
        for (LeakPolicy policy : policies.list(namespace)) {
            if (policy.getSpec() != null && PodSelector.of(policy.getSpec().selector).matches(pod.getMetadata().getLabels())) {
                ids.add(ResourceID.fromResource(policy));
            }
        }
        ids.addAll(registry.policiesTracking(new ResourceID(pod.getMetadata().getName(), namespace)));
        return ids;
    }
}
