package io.leakguard.operator.state;

import java.util.Set;

import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * After each sampling tick: the pod lives still watched by some policy, and the policies forgotten since
 * the last tick. Whatever a component keeps per pod life or per policy must not outlive them.
 */
public record TrackedLives(Set<String> lifeKeys, Set<ResourceID> forgottenPolicies) {
}
