package io.leakguard.operator.detection;

import java.time.Duration;

import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.operator.spec.GoDuration;
import io.leakguard.operator.spec.Policy;

/** The detection part of a LeakPolicy, parsed into plain numbers. */
public record DetectorSettings(long windowMillis, long horizonMillis, double confidence, int minSamples,
        long warmupMillis, double maxThreadGrowthPerHour, double maxThreads, long intervalMillis) {

    /** From a spec that PolicyValidator accepted. */
    public static DetectorSettings from(DetectionSpec detection, MetricsSpec metrics) {
        return of(Policy.Detection.of(detection), GoDuration.parse(metrics.interval));
    }

    /** From a parsed policy's detection slice and its sampling interval. */
    public static DetectorSettings of(Policy.Detection d, Duration interval) {
        return new DetectorSettings(d.window().toMillis(), d.horizon().toMillis(), d.confidence(), d.minSamples(),
                d.warmup().toMillis(), d.maxThreadGrowthPerHour(), d.maxThreads(), interval.toMillis());
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
