package io.leakguard.operator.state;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.tracking.TrackedPod;

/**
 * A pod's verdict changed kind under a policy: the sampler's one way out (a CDI event). Diagnostics take a
 * baseline or trigger dump on it, the reporter records Kubernetes Events, and the controller wakes up.
 *
 * @param before the previous kind, or null for the pod's first verdict under this policy
 */
public record VerdictTransition(ResourceID policy, String policyUid, Policy spec, TrackedPod pod,
        VerdictKind before, Verdict verdict) {
}
