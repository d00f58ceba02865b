package io.leakguard.operator.sampling;

import java.time.Duration;
import java.util.List;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.tracking.TrackedPod;

/** One sampling round of one policy: its pods, what to read from them, and within how long. */
record Round(ResourceID id, Policy policy, List<TrackedPod> pods, RuntimeProfile profile,
        DetectorSettings settings, Duration timeout, long nowMillis) {

    String namespace() {
        return id.getNamespace().orElse("");
    }

    /**
     * A history per policy and pod: two policies may watch one pod with different windows, sources or
     * metric names, and must never share, mix or reset each other's series.
     */
    String seriesKey(TrackedPod pod) {
        return seriesKey(id, pod);
    }

    static String seriesKey(ResourceID policy, TrackedPod pod) {
        return policy.getName() + "|" + pod.key();
    }
}
