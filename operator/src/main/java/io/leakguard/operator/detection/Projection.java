package io.leakguard.operator.detection;

import static io.leakguard.operator.series.PodSeries.maxIgnoringNaN;

import io.leakguard.operator.series.PodSeries;

/**
 * Pure: when a ceiling will be reached if the trend goes on at its fitted pace. The level now is the
 * highest recent peak (over the last trough's floor, and at least three groups),
 * each carried forward along the trend, because scrapes alias with GC cycles and miss most peaks;
 * older peaks are not carried, since memory that was given back is not coming back at that pace.
 *
 * @param ceiling {@link #MEMORY_LIMIT}, {@link #HEAP_MAX}, {@link #OLD_GEN_KEPT} or {@link #LIVE_HEAP_CLIMBING}
 * @param etaSeconds time to the ceiling; 0 when already there, infinite when none is projected
 */
public record Projection(String ceiling, double etaSeconds, double levelBytes, double ceilingBytes) {

    public static final String MEMORY_LIMIT = "memory limit";
    public static final String HEAP_MAX = "heap max";
    /** The heap max, reached by a G1 old generation that no collection shrinks. */
    public static final String OLD_GEN_KEPT = "heap max, old generation kept";
    /** The heap max, reached by a live heap that successive collections measure higher each time. */
    public static final String LIVE_HEAP_CLIMBING = "heap max, live heap climbing";
    static final Projection NONE = new Projection(null, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN);

    /**
     * The process memory's peaks against the container's limit, along the faster of the memory
     * floor's trend and its peaks' trend. The kernel kills at a peak, and peaks can rise faster than
     * the floor: a Go heap's peak is its GC goal, {@code live * (1 + GOGC/100)}, so a live heap
     * that leaks 40 MiB an hour lifts the peaks by up to 120. The peaks' trend is the Theil-Sen
     * slope of their envelope (the highest of each trough's span) from the floor's change point on,
     * and counts up to {@link #PEAK_SLOPE_FACTOR} times the floor's, beyond which it is the
     * scrape's aliasing, not the heap goal. Where the live heap rises faster than the memory floor, the
     * peaks are carried at the heap's pace as well (the earlier death wins); under GOMEMLIMIT, where
     * the GC holds the memory still, the live heap itself is projected. The floor's pace is that of its
     * recent third where that is slower ({@link #settling}).
     */
    static Projection memoryLimit(TroughFold.Folded f, TrendFit trend, TrendFit heap, Ceilings ceilings, double nowHours,
            double confidence, DetectorScratch scratch) {
        double limit = ceilings.memoryLimitBytes();
        trend = trend.boundedAboveZero();
        if (ceilings.holdsPeaks()) {
            // Under GOMEMLIMIT the GC holds the peaks at the soft limit, near the kernel's by design: the
            // floor, what the GC cannot free, is what will carry the pod there. Below the soft limit a
            // floor that rises while the live heap does not is the GC using its budget (it collects less
            // often as the heap nears its goal), not a leak; past it, the GC can no longer hold what is live.
            // Past it means floors carried there at the pace the data promise at least (the trend's lower bound):
            // near the soft limit by design, the floors swing with the scavenger and the scrapes' phase, and a
            // noisy trend's own slope carries them anywhere.
            Projection held = along(MEMORY_LIMIT, f.memoryTimes, f.memory, f.memoryLength, trend, limit, nowHours, f);
            if (heap.significant()) {
                // A live heap that climbs is what the GC cannot hold: past the soft limit the memory follows it to
                // the kernel's. So the live heap itself is projected to the limit too (at its pace's lower bound),
                // though the memory, held at the soft limit, stands still meanwhile.
                return earliest(held, heapAgainstMemoryLimit(f, heap.atLowerBound(), limit, nowHours));
            }
            // The fast path's trend is already at its lower bound: its projection is the cautious one.
            Projection cautious = trend.lower() == trend.slope() ? held
                    : along(MEMORY_LIMIT, f.memoryTimes, f.memory, f.memoryLength, trend.atLowerBound(), limit, nowHours, f);
            return cautious.levelBytes() > ceilings.softLimitBytes() ? held : NONE;
        }
        if (!trend.significant() && trend.note() != null && heap.significant() && heap.lower() > 0) {
            // The live heap rises steadily while the memory the kernel counts rose too, but in steps: resident
            // memory grows as the heap takes new spans and keeps its high-water mark between them, which the
            // fit's step and levelling guards reject. The memory must follow the live heap up, so its peaks are
            // carried along the heap's pace, at its lower confidence bound since the memory itself did not
            // show that pace. (Memory that did not rise at all is held above the heap's needs, a high-water
            // mark the heap can grow back into.)
            return along(MEMORY_LIMIT, f.memoryTimes, f.memoryPeaks, f.memoryLength, heap.atLowerBound(0), limit,
                    nowHours, f);
        }
        Projection floor = along(MEMORY_LIMIT, f.memoryTimes, f.memoryPeaks, f.memoryLength, settling(trend, f, scratch),
                limit, nowHours, f);
        Projection death = floor;
        if (floor != NONE && floor.etaSeconds > 0 && heap.significant()) {
            double peakSlope = Math.min(PEAK_SLOPE_FACTOR * trend.slope(), peakSlope(f, trend.start(), confidence, scratch));
            if (peakSlope > trend.slope()) {
                death = new Projection(MEMORY_LIMIT, (limit - floor.levelBytes) / peakSlope * 3600.0, floor.levelBytes, limit);
            }
        }
        if (!ceilings.hasHeapMax() && trend.significant() && heap.significant() && heap.lower() > trend.slope()) {
            // The live heap outpaces the memory around it: the memory held room (a high-water mark, spans not yet
            // given back) that the heap is growing into, and once that is used up it must follow the heap. So its
            // peaks are carried at the heap's pace too, at its lower bound. Not for a JVM, whose heap grows inside
            // memory it committed at the start; and only where the memory rises at all (memory held flat above the
            // heap is room it can grow back into for as long as it holds).
            death = earliest(death, along(MEMORY_LIMIT, f.memoryTimes, f.memoryPeaks, f.memoryLength,
                    heap.atLowerBound(trend.start()), limit, nowHours, f));
        }
        return death;
    }

    /**
     * The floor's trend at the pace of its recent third where that is slower: memory that settles after a
     * start (a JVM's code cache and metaspace filling, its heap being touched, malloc arenas, a pool
     * reaching its high-water mark) slows as it nears its plateau, and the whole rise's pace would carry it
     * through the limit it stops short of; a leak keeps its pace. (Slower than a quarter of it, the rise
     * has levelled off, and TrendFit does not count it at all.)
     */
    static TrendFit settling(TrendFit trend, TroughFold.Folded f, DetectorScratch scratch) {
        if (!trend.significant()) {
            return trend;
        }
        double recent = TrendFit.recentSlope(f.memoryTimes, f.memory, trend.start(), f.memoryLength, scratch);
        return recent < trend.slope() && recent > 0
                ? new TrendFit(true, recent, Math.min(recent, trend.lower()), trend.p(), trend.start(), null) : trend;
    }

    /**
     * A JVM whose heap max does not fit in its container beside the rest of its memory. The committed
     * heap is left out of the memory floor because the heap max bounds it; but where the memory beside
     * the heap (the floors, at their lowest in the window) and the heap max together pass the limit, the
     * kernel kills the pod before the heap is full, while the live-data gauge may not have moved (G1
     * measures it only in collections of the old generation, which a heap of room seldom needs). Then the
     * memory's peaks, committed heap and all, are projected to the limit along their own trend (the
     * Theil-Sen slope of their envelope, when Mann-Kendall finds it rising).
     */
    static Projection heapMaxPastLimit(PodSeries.Window w, TroughFold.Folded f, Ceilings ceilings, double nowHours,
            double confidence, DetectorScratch scratch) {
        if (!w.committedLeftOut || !ceilings.hasMemoryLimit() || f.memoryLength < TroughFold.MIN_TROUGHS
                || !heapMaxDoesNotFit(f, ceilings)) {
            return NONE;
        }
        double slope = peakSlope(f, 0, confidence, scratch);
        if (!(slope > 0)) {
            return NONE;
        }
        return along(MEMORY_LIMIT, f.memoryTimes, f.memoryPeaks, f.memoryLength,
                new TrendFit(true, slope, slope, Double.NaN, 0, null), ceilings.memoryLimitBytes(), nowHours, f);
    }

    /** Whether the memory beside the heap at its lowest ({@link #lowestBesideHeap}) and the heap max pass the limit. */
    static boolean heapMaxDoesNotFit(TroughFold.Folded f, Ceilings ceilings) {
        return lowestBesideHeap(f) + ceilings.heapMaxBytes() > ceilings.memoryLimitBytes();
    }

    /**
     * The memory beside the heap at its lowest in the window: the floors without the committed heap (threads
     * that come and go with bursts of traffic lift it for a while). NaN without floors.
     */
    static double lowestBesideHeap(TroughFold.Folded f) {
        double lowest = Double.NaN;
        for (int i = 0; i < f.memoryLength; i++) {
            lowest = PodSeries.minIgnoringNaN(lowest, f.memory[i]);
        }
        return lowest;
    }

    /** The most the peaks' slope may count for, as a multiple of the floor's: GOGC=200's heap goal. */
    static final double PEAK_SLOPE_FACTOR = 3.0;

    /** Theil-Sen slope of the peaks' envelope from {@code start} on, or NaN with too few peaks. */
    static double peakSlope(TroughFold.Folded f, int start, double confidence, DetectorScratch scratch) {
        double[] t = scratch.subTimes;
        double[] v = scratch.subValues;
        int m = 0;
        for (int i = Math.max(start, 0); i < f.memoryLength; i++) {
            double high = Double.NaN;
            for (int k = 0; k < f.span && i - k >= Math.max(start, 0); k++) {
                high = maxIgnoringNaN(high, f.memoryPeaks[i - k]);
            }
            if (!Double.isNaN(high)) {
                t[m] = f.memoryTimes[i];
                v[m++] = high;
            }
        }
        if (m < TroughFold.MIN_TROUGHS || TrendStatistics.mannKendall(v, m).pUpward() > 1.0 - confidence) {
            return Double.NaN;
        }
        return TrendStatistics.theilSen(t, v, m, 0.5, 0, scratch.slopes).slope();
    }

    /** Without a memory gauge: the heap's troughs against the container's limit. */
    static Projection heapAgainstMemoryLimit(TroughFold.Folded f, TrendFit trend, double limit, double nowHours) {
        return along(MEMORY_LIMIT, f.heapTimes, f.heap, f.heapLength, trend, limit, nowHours, f);
    }

    /**
     * A JVM's live heap against {@link Ceilings#HEAP_MAX_SHARE} of its heap max, unless its rise, from the
     * trend's change point, only took it back to where it stood before ({@link #backToAnEarlierHigh}).
     */
    static Projection heapMax(TroughFold.Folded f, TrendFit trend, double heapMax, double nowHours) {
        if (trend.significant() && f.heapLength > 0
                && backToAnEarlierHigh(f.heap[f.heapLength - 1], TrendDetector.highest(f.heap, trend.start()), heapMax)) {
            return NONE;
        }
        return along(HEAP_MAX, f.heapTimes, f.heap, f.heapLength, trend, Ceilings.HEAP_MAX_SHARE * heapMax, nowHours, f);
    }

    /**
     * A live heap that rises back to where it stood earlier in the window, before the rise began, and no more
     * than {@link #PAST_EARLIER_HIGH_SHARE} of the heap max past it, is on a course the pod has already run
     * and lived: a cache emptied on a schedule and filled again, a batch's load. A leak passes its earlier highs.
     * (The fast path's guard on the memory, for the heap.)
     */
    static boolean backToAnEarlierHigh(double level, double earlierHigh, double heapMax) {
        return level <= earlierHigh + PAST_EARLIER_HIGH_SHARE * heapMax;
    }

    static final double PAST_EARLIER_HIGH_SHARE = 0.05;

    /**
     * Under G1 the live-data gauge ({@code jvm_gc_live_data_size_bytes}) moves only when a collection
     * shrinks the old generation, so a heap leak, which never lets it shrink, leaves that gauge where
     * it was while the old generation fills the heap. G1 starts marking the old generation when it
     * passes its initiating occupancy (45% of the heap, adapted at run time to at most about 85% less
     * the young generation) and then frees its garbage in mixed collections: an old generation past
     * {@link #OLD_GEN_KEPT_SHARE} of the heap max that has not shrunk for {@link #OLD_GEN_KEPT_MILLIS},
     * or past {@link #OLD_GEN_KEPT_LONG_SHARE} that has not shrunk for {@link #OLD_GEN_KEPT_LONG_MILLIS},
     * is live, and heads for the heap max at its recent pace.
     */
    static Projection keptOldGen(PodSeries.Window w, double heapMax) {
        boolean kept = w.oldGenLatest >= OLD_GEN_KEPT_SHARE * heapMax && w.oldGenRunMillis >= OLD_GEN_KEPT_MILLIS
                || w.oldGenLatest >= OLD_GEN_KEPT_LONG_SHARE * heapMax && w.oldGenRunMillis >= OLD_GEN_KEPT_LONG_MILLIS;
        if (!kept || !(w.oldGenPacePerHour > 0)) {
            return NONE;
        }
        double ceiling = Ceilings.HEAP_MAX_SHARE * heapMax;
        double eta = w.oldGenLatest >= ceiling ? 0 : (ceiling - w.oldGenLatest) / w.oldGenPacePerHour * 3600.0;
        return new Projection(OLD_GEN_KEPT, eta, w.oldGenLatest, ceiling);
    }

    /**
     * A JVM's live heap climbing in successive collections: the live-data gauge moves only when a
     * collection of the old generation measures it, so a leak that fills the heap in half an hour
     * shows as a few large steps in its last minutes rather than as a trend. Three measurements in a row
     * (the last two first seen within {@link #CLIMB_MILLIS}), each higher than the one before by at least
     * {@link #CLIMB_STEP_SHARE} of the heap max (more than the floating garbage a collection leaves), the
     * last past {@link #CLIMB_FROM_SHARE} of it, are live memory the collector could not free, and head for
     * the heap max at the pace of the last rise (between when its two levels were first seen).
     * A batch lifts the live heap once and lets it go; a cache fills by small steps; a gauge that moves a
     * little at each measurement (a live heap that drifts) is not a staircase, and is left to the trend. A
     * climb back to where the live heap stood before it ({@link #backToAnEarlierHigh}) is not projected.
     */
    static Projection liveHeapClimb(PodSeries.Window w, double heapMax, long nowMillis) {
        double step = CLIMB_STEP_SHARE * heapMax;
        // The newest two levels with the time each was first seen; the level being read, back in time.
        double latest = Double.NaN;
        long latestSeen = 0;
        double before = Double.NaN;
        long beforeSeen = 0;
        double current = Double.NaN;
        long currentSeen = 0;
        int from = 0;
        for (int i = w.length - 1; i >= 0; i--) {
            double v = w.heap[i];
            if (Double.isNaN(v)) {
                continue;
            }
            if (Double.isNaN(current) || Math.abs(v - current) <= CLIMB_SAME_SHARE * heapMax) {
                // The same measurement, held between collections.
                current = Double.isNaN(current) ? v : current;
                currentSeen = w.time[i];
                continue;
            }
            if (v > current - step || currentSeen < nowMillis - CLIMB_MILLIS) {
                // Higher before, or a little lower (a heap that drifts, which the trend judges); or a level held
                // longer than the climb's span.
                break;
            }
            if (Double.isNaN(latest)) {
                latest = current;
                latestSeen = currentSeen;
            } else {
                before = current;
                beforeSeen = currentSeen;
                from = i;
                break; // and v, lower still, is the measurement the climb started from
            }
            current = v;
            currentSeen = w.time[i];
        }
        if (Double.isNaN(before) || latest < CLIMB_FROM_SHARE * heapMax || latestSeen <= beforeSeen) {
            return NONE;
        }
        if (backToAnEarlierHigh(latest, TrendDetector.highest(w.heap, from), heapMax)) {
            return NONE;
        }
        double perHour = (latest - before) / ((latestSeen - beforeSeen) / TrendDetector.MILLIS_PER_HOUR);
        double ceiling = Ceilings.HEAP_MAX_SHARE * heapMax;
        double now = latest + perHour * Math.max(0, nowMillis - latestSeen) / TrendDetector.MILLIS_PER_HOUR;
        double eta = now >= ceiling ? 0 : (ceiling - now) / perHour * 3600.0;
        return new Projection(LIVE_HEAP_CLIMBING, eta, now, ceiling);
    }

    static final long CLIMB_MILLIS = 20 * 60_000;
    static final double CLIMB_STEP_SHARE = 0.05;
    /**
     * Measurements within this share of the heap max of the latest one are one level (the floating garbage
     * each collection leaves differs). A gauge that moves by less than the gap between this share and
     * {@link #CLIMB_STEP_SHARE} at each scrape lands in the gap and is a drift, left to the trend. Measured on
     * jvm-runtime (seeds 42, 7, 101, 202, then 11, 303, 404 held out): at 1%, 6 and 3 more leaks caught five
     * minutes before their death; at 2.5%, 7 and 4; at 4%, 9 and 7; no healthy pod more flagged at any.
     */
    static final double CLIMB_SAME_SHARE = 0.04;
    static final double CLIMB_FROM_SHARE = 0.5;

    static final double OLD_GEN_KEPT_SHARE = 0.8;
    static final long OLD_GEN_KEPT_MILLIS = 10 * 60_000;
    /**
     * Lower, for longer: an old generation 70% full that no collection has shrunk for a quarter of an hour.
     * G1's adaptive threshold aims marking at a target occupancy (the heap less its 10% reserve), minus a
     * buffer of the young generation and what it expects to promote while marking: a slow promotion may creep
     * past 70% unmarked, but then its pace does not reach the heap max within a horizon; a pace that does
     * (a quarter of the heap within half an hour) takes it past 80% within the quarter hour, beyond any
     * threshold, and what marking leaves there unshrunk is live. Of the real JVMs recorded under G1
     * (docs/corpus/recorded), no healthy one's old generation stood above 40% of the heap max through a
     * 10-minute run without a shrink (mixed collections shrink it every few minutes), while every heap leak's ran
     * unshrunk to 96 to 99%; three of them passed 80% only 3 to 4 minutes before their OutOfMemoryError.
     */
    static final double OLD_GEN_KEPT_LONG_SHARE = 0.7;
    static final long OLD_GEN_KEPT_LONG_MILLIS = 15 * 60_000;

    /**
     * A G1 old generation past the default initiating occupancy (45% of the heap) that no collection has
     * shrunk for half an hour while it grew: not yet known to be live (an adaptive threshold may let
     * it grow higher before marking), but a rise that a Suspect verdict should name.
     */
    static boolean oldGenRising(PodSeries.Window w, double heapMax) {
        return w.oldGenLatest >= OLD_GEN_RISING_SHARE * heapMax && w.oldGenRunMillis >= OLD_GEN_RISING_MILLIS
                && w.oldGenPacePerHour > 0;
    }

    static final double OLD_GEN_RISING_SHARE = 0.45;
    static final long OLD_GEN_RISING_MILLIS = 30 * 60_000;

    private static Projection along(String ceiling, double[] t, double[] level, int n, TrendFit trend, double limit,
            double nowHours, TroughFold.Folded f) {
        double groupHours = f.groupMillis / TrendDetector.MILLIS_PER_HOUR;
        if (!trend.significant() || n == 0) {
            return NONE;
        }
        double slope = trend.slope();
        double now = Double.NaN;
        double recentHours = Math.max(3.0 * groupHours, f.peakMillis / TrendDetector.MILLIS_PER_HOUR);
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
