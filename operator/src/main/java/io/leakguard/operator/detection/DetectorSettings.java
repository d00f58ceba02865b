package io.leakguard.operator.detection;

import java.time.Duration;

import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.operator.spec.GoDuration;

/** The detection part of a LeakPolicy, parsed into plain numbers. */
public record DetectorSettings(long windowMillis, long horizonMillis, double confidence, int minSamples,
        long warmupMillis, double maxThreadGrowthPerHour, double maxThreads, long intervalMillis) {

    /** From a spec that PolicyValidator accepted. */
    public static DetectorSettings from(DetectionSpec detection, MetricsSpec metrics) {
        return new DetectorSettings(
                GoDuration.parse(detection.window).toMillis(),
                GoDuration.parse(detection.horizon).toMillis(),
                detection.confidence,
                detection.minSamples,
                GoDuration.parse(detection.warmup).toMillis(),
                detection.maxThreadGrowthPerHour == null ? Double.POSITIVE_INFINITY : detection.maxThreadGrowthPerHour,
                detection.maxThreads == null ? Double.POSITIVE_INFINITY : detection.maxThreads,
                GoDuration.parse(metrics.interval).toMillis());
    }

    /** Stored buckets per pod: enough for the window at the chosen bucket width. */
    public static final int BUCKETS = 120;

    /** Width of one stored bucket: the window over {@link #BUCKETS}, but never finer than the interval. */
    public long bucketMillis() {
        return Math.max(intervalMillis, Math.max(1000, windowMillis / BUCKETS));
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }
}
