package io.leakguard.operator.detection;

import static io.leakguard.operator.series.PodSeries.maxIgnoringNaN;

import java.util.Locale;

import io.leakguard.operator.series.PodSeries;

/**
 * Judges one pod from its bucketed history, as a pipeline of small pure steps:
 * <ol>
 * <li>check there is enough fresh data ({@link VerdictKind#InsufficientData} otherwise: missing data
 * never leads to a restart);</li>
 * <li>fold the window into troughs ({@link TroughFold});</li>
 * <li>fit a trend to the memory floor, the heap floor and the thread count, each from where its rise
 * starts ({@link TrendFit}, cached in the pod's {@link TrendCache});</li>
 * <li>project each ceiling the pod can die at ({@link Projection}): the container's memory limit
 * along the process memory's trend (heap, stacks and off-heap memory together, as the kernel counts
 * them) and, for a JVM, the heap max along the live heap's trend; the earliest wins;</li>
 * <li>classify: Leaking when that death is within the horizon, or threads grow faster than the
 * policy allows; Suspect for any other significant rise; Healthy otherwise;</li>
 * <li>word the reason ({@link VerdictReason}).</li>
 * </ol>
 * Stateless: the caller passes the pod's cache and its own scratch space.
 */
public final class TrendDetector {

    private static final double MILLIS_PER_HOUR = 3_600_000.0;
    private static final long THREAD_SPAN_MILLIS = 30 * 60_000;
    static final int FAST_GROUPS = 16;
    static final long FAST_FLOOR_MILLIS = 120_000;
    /** Full-width troughs of history without a significant trend that make a pod Healthy; less is InsufficientData. */
    static final int HEALTHY_TROUGHS = 12;

    private TrendDetector() {
    }

    /** Evaluates a pod's series as of {@code nowMillis}. The series' heap max fills in a ceiling not given. */
    public static Verdict evaluate(PodSeries series, TrendCache cache, DetectorScratch scratch, long nowMillis,
            Ceilings ceilings, DetectorSettings settings) {
        long from = Math.max(nowMillis - settings.windowMillis(), series.lifeStartMillis() + settings.warmupMillis());
        series.copyFrom(from, scratch.window);
        Ceilings known = new Ceilings(ceilings.memoryLimitBytes(),
                ceilings.hasHeapMax() ? ceilings.heapMaxBytes() : series.heapMaxBytes(),
                ceilings.softLimitBytes() > 0 ? ceilings.softLimitBytes() : series.softLimitBytes());
        return evaluate(scratch.window, cache, scratch, nowMillis, series.lastSampleMillis(), known, settings);
    }

    /** Evaluates buckets already cut to the window and past the warm-up, oldest first. */
    public static Verdict evaluate(PodSeries.Window w, TrendCache cache, DetectorScratch scratch, long nowMillis,
            long lastSampleMillis, Ceilings ceilings, DetectorSettings s) {
        int samples = 0;
        for (int i = 0; i < w.length; i++) {
            samples += w.samples[i];
        }
        if (lastSampleMillis == Long.MIN_VALUE || w.length == 0) {
            return Verdict.insufficient(samples, "no samples yet after the warm-up");
        }
        long staleMillis = nowMillis - lastSampleMillis;
        if (staleMillis > 3 * s.intervalMillis()) {
            return Verdict.insufficient(samples, "no sample for " + staleMillis / 1000 + "s: the endpoint is not answering");
        }
        if (samples < s.minSamples()) {
            return Verdict.insufficient(samples, samples + " of the " + s.minSamples()
                    + " samples needed in the window after the warm-up");
        }
        long history = w.time[w.length - 1] + s.bucketMillis() - w.time[0];
        long groupMillis = TroughFold.groupMillis(s.windowMillis(), s.bucketMillis(), history);
        TroughFold.Folded f = scratch.folded;
        TroughFold.fold(w, groupMillis, s.windowMillis(), f);
        int min = TroughFold.MIN_TROUGHS;
        if (f.memoryLength < min && f.heapLength < min && f.threadLength < min) {
            return Verdict.insufficient(samples, "a trend needs " + (min + 1) * groupMillis / 60_000
                    + "m of history after the warm-up; " + (w.time[w.length - 1] - w.time[0]) / 60_000 + "m so far");
        }

        double confidence = s.confidence();
        TrendFit memory = cache.memory(f, confidence, scratch);
        TrendFit heap = cache.heap(f, confidence, scratch);
        TrendFit threads = cache.threads(f, confidence, scratch);

        double nowHours = nowMillis / MILLIS_PER_HOUR;
        Projection death = Projection.NONE;
        if (ceilings.hasMemoryLimit()) {
            death = f.memoryLength >= min ? Projection.memoryLimit(f, memory, heap, ceilings, nowHours, s.confidence(), scratch)
                    : Projection.heapAgainstMemoryLimit(f, heap, ceilings.memoryLimitBytes(), nowHours);
        }
        Projection kept = Projection.NONE;
        boolean oldGenRising = false;
        if (ceilings.hasHeapMax()) {
            oldGenRising = Projection.oldGenRising(w, ceilings.heapMaxBytes());
            death = Projection.earliest(death, Projection.heapMax(f, heap, ceilings.heapMaxBytes(), nowHours));
            kept = Projection.keptOldGen(w, ceilings.heapMaxBytes());
            death = Projection.earliest(death, kept);
        }
        if (death.etaSeconds() > s.horizonMillis() / 1000.0) {
            death = Projection.earliest(death, fastPath(w, cache, scratch, ceilings, nowHours, s));
        }

        double latestThreads = Double.NaN;
        double latestPeak = Double.NaN;
        for (int i = Math.max(0, w.length - 4); i < w.length; i++) {
            latestPeak = maxIgnoringNaN(latestPeak, Double.isNaN(w.memory[i]) ? w.heap[i] : w.memory[i]);
            if (!Double.isNaN(w.threads[i])) {
                latestThreads = w.threads[i];
            }
        }
        if (!Double.isNaN(death.levelBytes()) && Projection.MEMORY_LIMIT.equals(death.ceiling())) {
            latestPeak = maxIgnoringNaN(latestPeak, death.levelBytes());
        }

        boolean near = !ceilings.hasHeapMax() && Projection.MEMORY_LIMIT.equals(death.ceiling())
                && death.levelBytes() >= NEAR * death.ceilingBytes();
        boolean deathSoon = death.etaSeconds() <= (near ? NEAR_FACTOR : 1) * s.horizonMillis() / 1000.0;
        // Goroutines and threads follow traffic, so their growth only counts once it has lasted half the
        // window (at most 30 minutes), either faster than the policy's bound at the slope's lower bound or
        // unbroken (see unbrokenRise), and above the highest floor the pod's threads reached before the
        // window: a traffic upswing is none of these.
        double threadSpanHours = threads.significant() ? f.threadTimes[f.threadLength - 1] - f.threadTimes[threads.start()] : 0;
        boolean threadsLongEnough = threads.significant()
                && threadSpanHours * MILLIS_PER_HOUR >= Math.min(s.windowMillis() / 2, THREAD_SPAN_MILLIS);
        boolean threadsFast = threadsLongEnough && threads.lower() > s.maxThreadGrowthPerHour()
                && (cache.threadsOutgrewTheirLevel() || f.threads[f.threadLength - 1] - f.threads[0]
                        >= (w.olderMillis >= s.windowMillis() ? RISE_SHARE : FAST_SHARE) * f.threads[0]);
        if (threadsFast) {
            // Once is enough: a leak that has grown large rises by a smaller share of its level each hour,
            // and must not be called Suspect again (and its alert resolved) for having grown.
            cache.markThreadsOutgrewTheirLevel();
        }
        boolean threadsUnbroken = threadsLongEnough && !threadsFast && unbrokenRise(f);
        double threadsRise = f.threads[f.threadLength - 1] - f.threads[0];
        double earlierHigh = (threadsFast || threadsUnbroken)
                && f.threads[f.threadLength - 1] <= w.olderThreadsHigh + PAST_HIGH_SHARE * threadsRise
                ? w.olderThreadsHigh : Double.NaN;
        boolean threadsTooFast = (threadsFast || threadsUnbroken) && Double.isNaN(earlierHigh);
        boolean threadsTooMany = threads.significant() && latestThreads > s.maxThreads();
        VerdictKind kind = deathSoon || threadsTooFast || threadsTooMany ? VerdictKind.Leaking
                : memory.significant() || heap.significant() || threads.significant() || kept != Projection.NONE
                        || oldGenRising ? VerdictKind.Suspect
                        : VerdictKind.Healthy;
        int troughs = Math.max(f.memoryLength, Math.max(f.heapLength, f.threadLength));
        long healthyMillis = HEALTHY_TROUGHS * Math.max(s.bucketMillis(), s.windowMillis() / TroughFold.TROUGHS);
        if (kind == VerdictKind.Healthy && history < healthyMillis) {
            // Six troughs can show a steady rise, but a rise with any noise needs more: until the history
            // spans twelve full-width troughs, "no significant trend" is not yet evidence of health. Counted
            // in time, not in troughs, because a growing history is regrouped into wider and fewer troughs,
            // and a pod once Healthy must not fall back to InsufficientData as its history grows.
            return Verdict.insufficient(samples, "no significant trend in the " + troughs + " troughs so far; a pod is"
                    + " called Healthy after " + healthyMillis / 60_000 + "m of history");
        }
        String reason = VerdictReason.of(kind, memory, heap, threads, death,
                kept != Projection.NONE || oldGenRising ? w : null, kept != Projection.NONE, ceilings, threadsTooFast && threadsFast,
                threadsTooFast && threadsUnbroken ? f.threads[0] : Double.NaN, earlierHigh, threadsTooMany, latestThreads, s);
        return new Verdict(kind, heap.slope(), heap.lower(), heap.p(), threads.slope(), threads.lower(), threads.p(),
                death.etaSeconds(), latestThreads, latestPeak, samples, reason, memory.slope(), death.ceiling());
    }

    /**
     * Threads whose growth would break the policy's bound are a traffic swing, not a leak, while they
     * stand less than this share of the window's rise above the highest floor they reached before the
     * window: traffic that wanders back up passes its earlier high by a little, while a leak adds its
     * whole rise on top of whatever traffic does. Measured on the go-rough corpus (pods of thousands of
     * goroutines whose traffic wanders for hours): at 0 (only at or under the earlier high) 13 and 19 of
     * 300 healthy pods were flagged for their threads, at a half 7 and 10, with one goroutine-only leak
     * of 30 flagged later; at a whole rise, 3 and 1, but a third fewer goroutine-only leaks within an hour.
     */
    static final double PAST_HIGH_SHARE = 0.5;

    /** Kendall's tau of the thread troughs at which their rise counts as unbroken. */
    static final double UNBROKEN_TAU = 0.8;
    /**
     * In a pod's first window (less than a window of history before it, so no earlier high to compare
     * with), growth above the policy's bound counts once the threads also rose by this share of their
     * first trough: in-flight goroutines swing in proportion to the traffic, so a young service of
     * thousands swings by hundreds an hour, and traffic that wanders for hours (not only a daily cycle)
     * lifts them by half their level; a leak adds the same number whatever the level.
     */
    static final double FAST_SHARE = 0.75;
    /**
     * Past the first window, growth above the policy's bound counts once the threads also rose by this
     * share of the window's first trough: a service of thousands of goroutines swings by thousands with a
     * traffic cycle hours long, longer than any earlier high the series keeps, and traffic that wanders
     * lifts them by a third of their level over a window; a leak at the bound's pace on a pod of up to
     * two and a half times the bound's goroutines rises by that share in an hour (larger pods need a
     * faster leak, an unbroken rise, or a memory projection).
     */
    static final double RISE_SHARE = 0.4;
    /**
     * Within this share of the limit, a death projected within {@link #NEAR_FACTOR} horizons counts as
     * within the horizon: so close, the projection's error (peaks the scrapes miss, a heap goal above
     * the live heap) is as large as the headroom left. Not for a pod with a heap max: a JVM commits its
     * heap up to near the limit by design.
     */
    static final double NEAR = 0.9;
    static final double NEAR_FACTOR = 2;
    /** The least rise, in threads, that counts as unbroken: a handful of goroutines is not a leak. */
    static final double UNBROKEN_MIN = 100;

    /**
     * Threads that at least doubled in the window (by {@link #UNBROKEN_MIN} or more) and whose troughs
     * almost never fell back (Kendall's tau at least {@link #UNBROKEN_TAU}): goroutines or threads that
     * are never released, whatever their pace. Traffic lets in-flight goroutines go as well as come, and
     * a pool that fills levels off (the fit's guard).
     */
    static boolean unbrokenRise(TroughFold.Folded f) {
        int n = f.threadLength;
        double first = f.threads[0];
        double rise = f.threads[n - 1] - first;
        if (rise < UNBROKEN_MIN || rise < first) {
            return false;
        }
        TrendStatistics.MannKendall mk = TrendStatistics.mannKendall(f.threads, n);
        return mk.s() >= UNBROKEN_TAU * n * (n - 1) / 2.0;
    }

    /**
     * The fast path: a leak that will kill within the horizon is caught before the window's troughs
     * show it. The last {@link #FAST_GROUPS} buckets, each its own trough (the floor of
     * {@link #FAST_FLOOR_MILLIS}, or a 24th of a shorter window), are fitted as a whole, and projected at
     * their slope's lower confidence bound: minutes of noise give a steep slope but a wide interval, a
     * real leak a bound that is itself steep. They are fitted a second time from where their rise
     * starts, for a leak that began minutes ago on a flat stretch, once the memory stands above every
     * peak the window reached before them by {@link #NEW_HIGH_SHARE} of the ceiling: a burst back to
     * where the pod's own bursts took it is not new. Only a death within the horizon counts.
     */
    private static Projection fastPath(PodSeries.Window w, TrendCache cache, DetectorScratch scratch, Ceilings ceilings,
            double nowHours, DetectorSettings s) {
        TroughFold.Folded recent = scratch.recent;
        int first = Math.max(0, w.length - FAST_GROUPS);
        TroughFold.fold(w, first, s.bucketMillis(),
                Math.min(FAST_FLOOR_MILLIS, s.windowMillis() / 24), recent);
        recent.peakMillis = TroughFold.floorMillis(s.windowMillis());
        Projection death = Projection.NONE;
        if (ceilings.hasMemoryLimit() && recent.memoryLength >= TroughFold.MIN_TROUGHS) {
            TrendFit memory = cache.recentMemory(recent, s.confidence(), scratch).atLowerBound();
            TrendFit since = recent.memoryPeaks[recent.memoryLength - 1]
                    > highest(w.memory, first) + NEW_HIGH_SHARE * ceilings.memoryLimitBytes()
                    ? cache.recentMemorySince(recent, s.confidence(), scratch).atLowerBound() : TrendFit.NONE;
            death = Projection.earliest(
                    Projection.memoryLimit(recent, memory, TrendFit.NONE, ceilings, nowHours, s.confidence(), scratch),
                    Projection.memoryLimit(recent, since, TrendFit.NONE, ceilings, nowHours, s.confidence(), scratch));
        }
        if (ceilings.hasHeapMax() && recent.heapLength >= TroughFold.MIN_TROUGHS) {
            TrendFit heap = cache.recentHeap(recent, s.confidence(), scratch).atLowerBound();
            TrendFit since = recent.heap[recent.heapLength - 1]
                    > highest(w.heap, first) + NEW_HIGH_SHARE * ceilings.heapMaxBytes()
                    ? cache.recentHeapSince(recent, s.confidence(), scratch).atLowerBound() : TrendFit.NONE;
            death = Projection.earliest(death, Projection.earliest(
                    Projection.heapMax(recent, heap, ceilings.heapMaxBytes(), nowHours),
                    Projection.heapMax(recent, since, ceilings.heapMaxBytes(), nowHours)));
        }
        return death.etaSeconds() <= s.horizonMillis() / 1000.0 ? death : Projection.NONE;
    }

    /** How far past the window's earlier peaks, as a share of the ceiling, a rise from its start must go. */
    static final double NEW_HIGH_SHARE = 0.05;

    /** The highest of the first {@code end} values, NaN ignored; minus infinity when there are none. */
    static double highest(double[] values, int end) {
        double high = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < end; i++) {
            if (values[i] > high) {
                high = values[i];
            }
        }
        return high;
    }

    static String bytesPerHour(double bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        return (mib >= 0 ? "+" : "") + String.format(Locale.ROOT, "%.1f MiB/h", mib);
    }

    static String minutes(double seconds) {
        long total = Math.round(seconds);
        if (total < 60) {
            return total + "s";
        }
        long hours = total / 3600;
        long minutes = (total % 3600) / 60;
        return hours > 0 ? hours + "h" + (minutes > 0 ? minutes + "m" : "") : minutes + "m";
    }
}
