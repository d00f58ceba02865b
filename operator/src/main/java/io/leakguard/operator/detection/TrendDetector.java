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
 * <li>judge the threads against the policy's bounds ({@link ThreadGrowth});</li>
 * <li>classify ({@link #classify}): Leaking when that death is within the horizon, or threads grow
 * faster than the policy allows; Suspect for any other significant rise; Healthy otherwise;</li>
 * <li>word the reason ({@link VerdictReason}).</li>
 * </ol>
 * Stateless: the caller passes the pod's cache and its own scratch space.
 */
public final class TrendDetector {

    static final double MILLIS_PER_HOUR = 3_600_000.0;
    static final int FAST_GROUPS = 16;
    static final long FAST_FLOOR_MILLIS = 120_000;
    /** Full-width troughs of history without a significant trend that make a pod Healthy; less is InsufficientData. */
    static final int HEALTHY_TROUGHS = 12;

    private TrendDetector() {
    }

    /** Evaluates a pod's series as of {@code nowMillis}. The series' heap max fills in a ceiling not given. */
    public static Verdict evaluate(PodSeries series, TrendCache cache, DetectorScratch scratch, long nowMillis,
            Ceilings ceilings, DetectorSettings settings) {
        long warmedUp = series.lifeStartMillis() + settings.warmupMillis();
        series.copyFrom(Math.max(nowMillis - settings.windowMillis(), warmedUp), warmedUp, scratch.window);
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
        Deaths deaths = project(w, f, memory, heap, cache, scratch, ceilings, nowMillis / MILLIS_PER_HOUR, s);
        Projection death = deaths.earliest();
        ThreadGrowth growth = ThreadGrowth.judge(w, f, threads, cache, scratch, s, ceilings.hasHeapMax());

        double latestPeak = Double.NaN;
        for (int i = Math.max(0, w.length - 4); i < w.length; i++) {
            latestPeak = maxIgnoringNaN(latestPeak, Double.isNaN(w.memory[i]) ? w.heap[i] : w.memory[i]);
        }
        if (!Double.isNaN(death.levelBytes()) && Projection.MEMORY_LIMIT.equals(death.ceiling())) {
            latestPeak = maxIgnoringNaN(latestPeak, death.levelBytes());
        }
        VerdictKind kind = classify(deaths, growth, memory, heap, threads, ceilings, s);
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
        String reason = VerdictReason.of(kind, memory, heap, threads, deaths, w, growth, ceilings, s);
        return new Verdict(kind, heap.slope(), heap.lower(), heap.p(), threads.slope(), threads.lower(), threads.p(),
                death.etaSeconds(), growth.latest(), latestPeak, samples, reason, memory.slope(), death.ceiling());
    }

    /**
     * The deaths a pod can have, each projected along its trend: the container's memory limit, and for
     * a JVM its heap max, by the live heap or by a G1 old generation that no collection shrinks. When
     * none comes within the horizon, the fast path is asked too.
     *
     * @param kept the G1 old generation's projection, or {@link Projection#NONE}
     * @param oldGenRising a G1 old generation past the default initiating occupancy that has not shrunk
     * @param besideHeap where the earliest death is the memory's, committed heap and all, of a JVM whose heap max
     *     does not fit in its limit ({@link Projection#heapMaxPastLimit}): the memory beside its heap at its
     *     lowest, which the heap max does not fit beside; NaN otherwise
     */
    record Deaths(Projection earliest, Projection kept, boolean oldGenRising, double besideHeap) {

        boolean heapMaxPastLimit() {
            return !Double.isNaN(besideHeap);
        }
    }

    static Deaths project(PodSeries.Window w, TroughFold.Folded f, TrendFit memory, TrendFit heap, TrendCache cache,
            DetectorScratch scratch, Ceilings ceilings, double nowHours, DetectorSettings s) {
        Projection death = Projection.NONE;
        if (ceilings.hasMemoryLimit()) {
            death = f.memoryLength >= TroughFold.MIN_TROUGHS
                    ? Projection.memoryLimit(f, memory, heap, ceilings, nowHours, s.confidence(), scratch)
                    : Projection.heapAgainstMemoryLimit(f, heap, ceilings.memoryLimitBytes(), nowHours);
        }
        Projection kept = Projection.NONE;
        Projection unfit = Projection.NONE;
        boolean oldGenRising = false;
        if (ceilings.hasHeapMax()) {
            oldGenRising = Projection.oldGenRising(w, ceilings.heapMaxBytes());
            death = Projection.earliest(death, Projection.heapMax(f, heap, ceilings.heapMaxBytes(), nowHours));
            kept = Projection.keptOldGen(w, ceilings.heapMaxBytes());
            death = Projection.earliest(death, kept);
            death = Projection.earliest(death, Projection.liveHeapClimb(w, ceilings.heapMaxBytes(),
                    Math.round(nowHours * MILLIS_PER_HOUR)));
            unfit = Projection.heapMaxPastLimit(w, f, ceilings, nowHours, s.confidence(), scratch);
            death = Projection.earliest(death, unfit);
        }
        if (death.etaSeconds() > s.horizonMillis() / 1000.0) {
            death = Projection.earliest(death, fastPath(w, cache, scratch, ceilings, nowHours, s));
        }
        return new Deaths(death, kept, oldGenRising,
                death != Projection.NONE && death == unfit ? Projection.lowestBesideHeap(f) : Double.NaN);
    }

    /**
     * Leaking when a death comes within the horizon (within {@link #NEAR_FACTOR} horizons once a pod
     * without a heap max is past {@link #NEAR} of its limit, {@link #HELD_NEAR_FACTOR} under GOMEMLIMIT)
     * or the threads break a bound; Suspect for
     * any other significant rise; Healthy otherwise.
     */
    static VerdictKind classify(Deaths deaths, ThreadGrowth growth, TrendFit memory, TrendFit heap, TrendFit threads,
            Ceilings ceilings, DetectorSettings s) {
        Projection death = deaths.earliest();
        boolean near = !ceilings.hasHeapMax() && Projection.MEMORY_LIMIT.equals(death.ceiling())
                && death.levelBytes() >= NEAR * death.ceilingBytes();
        double factor = !near ? 1 : ceilings.holdsPeaks() ? HELD_NEAR_FACTOR : NEAR_FACTOR;
        boolean deathSoon = death.etaSeconds() <= factor * s.horizonMillis() / 1000.0;
        if (deathSoon || growth.tooFast() || growth.tooMany()) {
            return VerdictKind.Leaking;
        }
        return memory.significant() || heap.significant() || threads.significant() || deaths.kept() != Projection.NONE
                || deaths.oldGenRising() ? VerdictKind.Suspect : VerdictKind.Healthy;
    }

    /**
     * Within this share of the limit, a death projected within {@link #NEAR_FACTOR} horizons counts as
     * within the horizon: so close, the projection's error (peaks the scrapes miss, a heap goal above
     * the live heap) is as large as the headroom left. Not for a pod with a heap max: a JVM commits its
     * heap up to near the limit by design.
     */
    static final double NEAR = 0.9;
    /**
     * Four horizons (an hour at the example's 15 minutes): a pod past {@link #NEAR} of its limit whose
     * floor rises significantly dies of a peak the floor's projection does not see. Measured over the
     * go-runtime and go-rough corpora (seeds 42, 7, 11, 101, 202, then 303 and 404 held out): against two
     * horizons, 6 more leaks caught at least five minutes before their OOM over the five seeds and 6 more
     * over the two held out, and no healthy pod more flagged; at six horizons, one more healthy pod.
     */
    static final double NEAR_FACTOR = 4;
    /**
     * Under GOMEMLIMIT the GC holds a healthy pod near its limit by design, and its floors rise and fall
     * with the scavenger: two horizons there (four flagged two healthy GOMEMLIMIT pods).
     */
    static final double HELD_NEAR_FACTOR = 2;
    /**
     * The fast path: a leak that will kill within the horizon is caught before the window's troughs
     * show it. The last {@link #FAST_GROUPS} buckets, each its own trough (the floor of
     * {@link #FAST_FLOOR_MILLIS}, or a 24th of a shorter window), are fitted as a whole, and projected at
     * their slope's lower confidence bound: minutes of noise give a steep slope but a wide interval, a
     * real leak a bound that is itself steep. They are fitted a second time from where their rise
     * starts, for a leak that began minutes ago on a flat stretch, once the memory stands above every
     * peak the pod reached before them by {@link #NEW_HIGH_SHARE} of the ceiling: a burst back to
     * where the pod's own bursts took it is not new, whether in the window or hours before it ({@link
     * PodSeries.Window#olderMemoryHigh}); nor is a JVM's live heap back where it stood before the fitted minutes
     * ({@link Projection#backToAnEarlierHigh}). Only a death within the horizon counts.
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
            // The pod's peaks before the fitted minutes, in the window and (past the warm-up) before it.
            double earlierHigh = Math.max(highest(w.memory, first),
                    Double.isNaN(w.olderMemoryHigh) ? Double.NEGATIVE_INFINITY : w.olderMemoryHigh);
            double recentHigh = recent.memoryPeaks[recent.memoryLength - 1];
            // A pod whose memory returns to a peak it already held, and lived, is not on a new course to its
            // death; under GOMEMLIMIT the GC holds the peaks by design, and the floors tell (Projection).
            TrendFit memory = recentHigh > earlierHigh || ceilings.holdsPeaks()
                    ? cache.recentMemory(recent, s.confidence(), scratch).atLowerBound() : TrendFit.NONE;
            TrendFit since = recentHigh > earlierHigh + NEW_HIGH_SHARE * ceilings.memoryLimitBytes()
                    ? cache.recentMemorySince(recent, s.confidence(), scratch).atLowerBound() : TrendFit.NONE;
            death = Projection.earliest(
                    Projection.memoryLimit(recent, memory, TrendFit.NONE, ceilings, nowHours, s.confidence(), scratch),
                    Projection.memoryLimit(recent, since, TrendFit.NONE, ceilings, nowHours, s.confidence(), scratch));
        }
        if (ceilings.hasHeapMax() && recent.heapLength >= TroughFold.MIN_TROUGHS) {
            double earlierHigh = highest(w.heap, first);
            double latest = recent.heap[recent.heapLength - 1];
            if (!Projection.backToAnEarlierHigh(latest, earlierHigh, ceilings.heapMaxBytes())) {
                TrendFit heap = cache.recentHeap(recent, s.confidence(), scratch).atLowerBound();
                TrendFit since = latest > earlierHigh + NEW_HIGH_SHARE * ceilings.heapMaxBytes()
                        ? cache.recentHeapSince(recent, s.confidence(), scratch).atLowerBound() : TrendFit.NONE;
                death = Projection.earliest(death, Projection.earliest(
                        Projection.heapMax(recent, heap, ceilings.heapMaxBytes(), nowHours),
                        Projection.heapMax(recent, since, ceilings.heapMaxBytes(), nowHours)));
            }
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
