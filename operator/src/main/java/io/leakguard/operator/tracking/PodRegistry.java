package io.leakguard.operator.tracking;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.operator.spec.Policy;

/**
 * The pods each LeakPolicy currently watches. The reconciler writes it; the sampler reads it.
 * A pod may be watched by several policies. Entries go when the pod stops matching or the
 * policy is deleted, so nothing here outlives what it describes.
 */
@Singleton
public class PodRegistry {

    private final Map<ResourceID, Map<String, TrackedPod>> podsByPolicy = new ConcurrentHashMap<>();
    private final Map<ResourceID, Policy> specs = new ConcurrentHashMap<>();
    private final Map<ResourceID, String> uids = new ConcurrentHashMap<>();
    /** Whether a policy still exists and is not being deleted; until told, every policy does. */
    private volatile Predicate<ResourceID> present = policy -> true;

    /** Replaces what a policy watches; returns the names of the pods it no longer watches. */
    public Set<String> track(ResourceID policy, String uid, Policy spec, Collection<TrackedPod> pods) {
        if (uid != null) {
            uids.put(policy, uid);
        }
        return track(policy, spec, pods);
    }

    public Set<String> track(ResourceID policy, Policy spec, Collection<TrackedPod> pods) {
        Map<String, TrackedPod> next = pods.stream()
                .collect(Collectors.toUnmodifiableMap(TrackedPod::name, pod -> pod, (a, b) -> b));
        if (spec != null) {
            specs.put(policy, spec);
        } else {
            specs.remove(policy);
        }
        Map<String, TrackedPod> previous = podsByPolicy.put(policy, next);
        Set<String> dropped = new HashSet<>(previous == null ? Set.of() : previous.keySet());
        dropped.removeAll(next.keySet());
        return dropped;
    }

    /** Forgets a deleted policy. */
    public void forget(ResourceID policy) {
        podsByPolicy.remove(policy);
        specs.remove(policy);
        uids.remove(policy);
    }

    /**
     * How to tell whether a policy still exists (the controller's cache). A policy deleted without its
     * finalizer (cleared by hand, or lost by the API server) never reaches the controller's cleanup, and
     * must not be sampled for ever.
     */
    public void presentWhen(Predicate<ResourceID> present) {
        this.present = present;
    }

    /** Forgets the policies that no longer exist or are being deleted, and returns them. */
    public Set<ResourceID> forgetAbsent() {
        Set<ResourceID> gone = new HashSet<>();
        for (ResourceID policy : podsByPolicy.keySet()) {
            if (!present.test(policy)) {
                forget(policy);
                gone.add(policy);
            }
        }
        return gone;
    }

    /** The uid of a policy, for owner references; null if unknown. */
    public String uid(ResourceID policy) {
        return uids.get(policy);
    }

    /** The parsed policy, when it is valid and watched; empty for an invalid or unknown one. */
    public Optional<Policy> policy(ResourceID policy) {
        return Optional.ofNullable(specs.get(policy));
    }

    /** The policies that watched this pod at their last reconcile. */
    public Set<ResourceID> policiesTracking(ResourceID pod) {
        return podsByPolicy.entrySet().stream()
                .filter(entry -> pod.getNamespace().equals(entry.getKey().getNamespace())
                        && entry.getValue().containsKey(pod.getName()))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    public List<TrackedPod> podsOf(ResourceID policy) {
        return List.copyOf(podsByPolicy.getOrDefault(policy, Map.of()).values());
    }

    public Set<ResourceID> policies() {
        return Set.copyOf(podsByPolicy.keySet());
    }

    /** Distinct pods watched by at least one policy. */
    public int trackedPodCount() {
        return (int) podsByPolicy.values().stream()
                .flatMap(pods -> pods.values().stream())
                .map(pod -> pod.namespace() + "/" + pod.name())
                .distinct()
                .count();
    }
}
