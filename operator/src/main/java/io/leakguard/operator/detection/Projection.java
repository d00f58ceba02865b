package io.leakguard.operator.detection;

import static io.leakguard.operator.series.PodSeries.maxIgnoringNaN;

/**
 * Pure: when a ceiling will be reached if the trend goes on at its fitted pace. The level now is the
 * highest recent peak (over the last trough's floor, and at least three groups),
 * each carried forward along the trend, because scrapes alias with GC cycles and miss most peaks;
 * older peaks are not carried, since memory that was given back is not coming back at that pace.
 *
 * @param ceiling {@link #MEMORY_LIMIT} or {@link #HEAP_MAX}
 * @param etaSeconds time to the ceiling; 0 when already there, infinite when none is projected
 */
public record Projection(String ceiling, double etaSeconds, double levelBytes, double ceilingBytes) {

    public static final String MEMORY_LIMIT = "memory limit";
    public static final String HEAP_MAX = "heap max";
    static final Projection NONE = new Projection(null, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN);

    /** The process memory's peaks against the container's limit, along the memory floor's trend. */
    static Projection memoryLimit(TroughFold.Folded f, TrendFit trend, double limit, double nowHours) {
        return along(MEMORY_LIMIT, f.memoryTimes, f.memoryPeaks, f.memoryLength, trend, limit, nowHours, f);
    }

    /** Without a memory gauge: the heap's troughs against the container's limit. */
    static Projection heapAgainstMemoryLimit(TroughFold.Folded f, TrendFit trend, double limit, double nowHours) {
        return along(MEMORY_LIMIT, f.heapTimes, f.heap, f.heapLength, trend, limit, nowHours, f);
    }

    /** A JVM's live heap against {@link Ceilings#HEAP_MAX_SHARE} of its heap max. */
    static Projection heapMax(TroughFold.Folded f, TrendFit trend, double heapMax, double nowHours) {
        return along(HEAP_MAX, f.heapTimes, f.heap, f.heapLength, trend, Ceilings.HEAP_MAX_SHARE * heapMax, nowHours, f);
    }

    private static Projection along(String ceiling, double[] t, double[] level, int n, TrendFit trend, double limit,
            double nowHours, TroughFold.Folded f) {
        double groupHours = f.groupMillis / 3_600_000.0;
        if (!trend.significant() || n == 0) {
            return NONE;
        }
        double slope = trend.slope();
        double now = Double.NaN;
        double recentHours = Math.max(3.0 * groupHours, f.peakMillis / 3_600_000.0);
        for (int i = Math.max(trend.start(), 0); i < n; i++) {
            if (t[n - 1] - t[i] >= recentHours) {
                continue;
            }
            now = maxIgnoringNaN(now, level[i] + slope * (nowHours - t[i]));
        }
        if (Double.isNaN(now)) {
            return NONE;
        }
        double eta = now >= limit ? 0 : (limit - now) / slope * 3600.0;
        return new Projection(ceiling, eta, now, limit);
    }

    static Projection earliest(Projection a, Projection b) {
        return b.etaSeconds < a.etaSeconds ? b : a;
    }
}
