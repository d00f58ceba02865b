package io.leakguard.operator.tracking;

import io.fabric8.kubernetes.api.model.Pod;

/** A pod a LeakPolicy watches: enough identity to tell one life of a pod from the next. */
public record TrackedPod(String namespace, String name, String uid, String podIp, String phase) {

    public static TrackedPod of(Pod pod) {
        return new TrackedPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                pod.getMetadata().getUid(), pod.getStatus() == null ? null : pod.getStatus().getPodIP(),
                pod.getStatus() == null ? null : pod.getStatus().getPhase());
    }
}
