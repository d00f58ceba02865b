package io.leakguard.operator.detection;

import io.leakguard.operator.series.PodSeries;

/**
 * Pure: the thread or goroutine count's trend against the policy's bounds. Goroutines and threads
 * follow traffic, so their growth only counts once it has lasted half the window (at most 30
 * minutes), either faster than the policy's bound at the slope's lower bound (and by a share of their
 * level) or unbroken ({@link #unbrokenRise}), and clearly above the highest floor the pod's threads
 * reached before the window: a traffic upswing is none of these. Where the pod reports its load (the
 * allocation rate, {@link LoadAdjusted}), growth that the load's rise cannot carry counts by itself,
 * whatever its pace.
 *
 * @param tooFast growth that breaks {@code maxThreadGrowthPerHour}, or an unbroken rise, past the earlier high
 * @param fast the growth is above the bound (as opposed to unbroken)
 * @param unbrokenFrom the window's first trough when the rise counts as unbroken; NaN otherwise
 * @param earlierHigh the floor reached before the window, when it holds back growth that would count; NaN otherwise
 * @param tooMany more live threads than {@code maxThreads}, while growing
 * @param latest the latest thread count in the window, NaN when none
 * @param load how much the load rose meanwhile, {@link LoadAdjusted#NONE} without a load
 * @param unexplained the growth counts because the load's rise cannot carry it ({@link #unexplainedRise})
 * @param explained growth above the bound, or unbroken, that the load's rise carries (at most {@link
 *     #LOAD_ELASTICITY} times its fitted rise): it did not count
 * @param ratchet thread floors never given back over hours, beyond what the load carries ({@link ThreadRatchet}),
 *     which count by themselves
 */
record ThreadGrowth(boolean tooFast, boolean fast, double unbrokenFrom, double earlierHigh, boolean tooMany, double latest,
        LoadAdjusted load, boolean unexplained, boolean explained, ThreadRatchet ratchet) {

    private static final long THREAD_SPAN_MILLIS = 30 * 60_000;

    /**
     * @param pooled the threads are a JVM's (a runtime with a heap max): platform threads that pools start and
     *     keep up to their size, whatever the load did meanwhile, unlike goroutines started per request
     */
    static ThreadGrowth judge(PodSeries.Window w, TroughFold.Folded f, TrendFit threads, TrendCache cache,
            DetectorScratch scratch, DetectorSettings s, boolean pooled) {
        double latest = Double.NaN;
        for (int i = Math.max(0, w.length - 4); i < w.length; i++) {
            if (!Double.isNaN(w.threads[i])) {
                latest = w.threads[i];
            }
        }
        boolean tooMany = threads.significant() && latest > s.maxThreads();
        // Hours of floors never given back count by themselves, whatever the window's own trend says.
        ThreadRatchet ratchet = ThreadRatchet.judge(w, scratch.ratchetLows, scratch.ratchetLoads);
        if (!threads.significant()) {
            return new ThreadGrowth(ratchet.counts(), false, Double.NaN, Double.NaN, tooMany, latest, LoadAdjusted.NONE,
                    false, false, ratchet);
        }
        double spanHours = f.threadTimes[f.threadLength - 1] - f.threadTimes[threads.start()];
        boolean longEnough = spanHours * TrendDetector.MILLIS_PER_HOUR >= Math.min(s.windowMillis() / 2, THREAD_SPAN_MILLIS);
        double first = f.threads[0];
        double last = f.threads[f.threadLength - 1];
        double rise = last - first;
        LoadAdjusted load = LoadAdjusted.fit(f.threadTimes, f.threads, f.threadLoads, threads.start(), f.threadLength,
                TrendStatistics.normalQuantile(s.confidence()), f.span);
        boolean firstWindow = w.olderMillis < s.windowMillis();
        // With the load known, goroutines it carries are set apart below: the share only guards against what the
        // load does not show (latency that wanders). A pool's threads are not carried by the load as they fill.
        double riseShare = load.known() && !pooled ? (firstWindow ? FAST_SHARE_WITH_LOAD : RISE_SHARE_WITH_LOAD)
                : (firstWindow ? FAST_SHARE : RISE_SHARE);
        boolean fast = longEnough && threads.lower() > s.maxThreadGrowthPerHour()
                && (cache.threadsOutgrewTheirLevel() || rise >= riseShare * first);
        double from = f.threads[threads.start()];
        // Against the load's fitted rise, not a bound of it (LoadAdjusted says why).
        boolean carried = load.known() && threads.slope() * spanHours <= LOAD_ELASTICITY * load.rise() * from;
        boolean explained = fast && carried;
        fast = fast && !carried;
        if (fast) {
            // Once is enough: a leak that has grown large rises by a smaller share of its level each hour,
            // and must not be called Suspect again (and its alert resolved) for having grown.
            cache.markThreadsOutgrewTheirLevel();
        }
        boolean unexplained = longEnough && load.known()
                && (unexplainedRise(threads.lower() * spanHours, from, load.rise())
                        || unexplainedRise(load.beyondLoadLower() * spanHours, from, load.rise()))
                && !slowingDown(f.threadTimes, f.threads, threads.start(), f.threadLength);
        boolean unbroken = longEnough && !fast && !unexplained && unbrokenRise(f);
        explained |= unbroken && carried;
        unbroken = unbroken && !carried;
        double pastHigh = load.known() ? PAST_HIGH_SHARE : PAST_HIGH_SHARE_WITHOUT_LOAD;
        double earlierHigh = (fast || unbroken) && last <= w.olderThreadsHigh + pastHigh * rise ? w.olderThreadsHigh
                : Double.NaN;
        boolean tooFast = (fast || unbroken) && Double.isNaN(earlierHigh) || unexplained || ratchet.counts();
        return new ThreadGrowth(tooFast, fast, tooFast && unbroken ? first : Double.NaN, earlierHigh, tooMany, latest,
                load, unexplained, explained, ratchet);
    }

    /**
     * Beyond what the load can carry, the least share of their level by which the threads must have risen
     * (at their pace's lower bound, over the part of the window the trend is judged on): a pool that grows
     * a little as latency creeps up is not a leak.
     */
    static final double UNEXPLAINED_SHARE = 0.2;
    /**
     * The least rise, in threads, that counts beyond the load: half of {@link #UNBROKEN_MIN}, since the load
     * already tells traffic apart (a pod of 60 goroutines leaking 100 an hour rises by less than 100 in any
     * hour's window).
     */
    static final double UNEXPLAINED_MIN = 50;
    /**
     * How many times the load's own rise (as a share) in-flight threads may rise by: once for threads that
     * are a share of the load, more where latency grows with load (queueing), as it does near saturation.
     */
    static final double LOAD_ELASTICITY = 2;

    /**
     * Threads that rose by at least {@link #UNEXPLAINED_MIN} and by a share of their level that the load's
     * rise cannot carry: {@link #UNEXPLAINED_SHARE} more than {@link #LOAD_ELASTICITY} times the load's
     * fitted rise (a load that fell carries nothing).
     *
     * @param rise the threads' rise at their pace's lower bound
     * @param from their level where the rise is judged from
     * @param loadRise the load's fitted rise as a share of its level
     */
    static boolean unexplainedRise(double rise, double from, double loadRise) {
        return rise >= UNEXPLAINED_MIN && rise >= (UNEXPLAINED_SHARE + LOAD_ELASTICITY * Math.max(0, loadRise)) * from;
    }

    /** A later half slower than this share of the earlier half's pace is a pool filling up, not a leak. */
    static final double SLOWING_SHARE = 0.8;

    /**
     * Whether the troughs from {@code from} on rise, in their later half, at less than {@link #SLOWING_SHARE}
     * of their pace in the earlier half (least squares on each half): a pool that fills towards its size
     * slows as it nears it, while a leak keeps its pace. The fit's levelled-off guard sees a pool only once
     * it has all but stopped.
     */
    static boolean slowingDown(double[] times, double[] values, int from, int n) {
        int middle = from + (n - from) / 2;
        double earlier = TrendStatistics.leastSquaresSlope(times, values, from, middle + 1);
        double later = TrendStatistics.leastSquaresSlope(times, values, middle, n);
        return earlier > 0 && later < SLOWING_SHARE * earlier;
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
    /**
     * {@link #PAST_HIGH_SHARE} for a pod without a load (no allocation counter, or too few of its samples):
     * nothing else then tells a traffic swing from a leak. Measured on the go-rough corpus with the load
     * dropped ({@code evaluate --load false}, seeds 42, 7, 11, 101, 202): healthy pods flagged 74 of 1,500
     * at a half, 40 at three quarters, 15 at a whole rise; goroutine-only leaks flagged within an hour 101,
     * 95 and 35 of 150 (a whole rise needs the window's first trough above the earlier high, so a leak
     * is seen only once the window has slid past its start). The smooth go-runtime corpus: no healthy pod
     * more flagged at any share, goroutine-only within an hour 88 of 150 at three quarters, 63 at a whole.
     */
    static final double PAST_HIGH_SHARE_WITHOUT_LOAD = 0.75;

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
     * {@link #FAST_SHARE} and {@link #RISE_SHARE} for goroutines whose pod's load is known: growth the load's
     * rise carries is told apart by the load itself, so the level's share needs only cover swings the load
     * does not show (in-flight goroutines that follow latency as well as traffic). Measured on go-runtime and
     * go-rough (seeds 42, 7, 11, 101, 202, 303, 404): at 0.3 and 0.25, 7 more goroutine-only leaks flagged
     * within an hour of their start, no healthy pod more flagged; at 0.3 and 0.2, or 0.3 and 0.15, one more
     * healthy pod flagged (a batch pod of 4,000 goroutines past its first window); at 0.5 and 0.25, 3 more
     * within the hour. Not for a JVM's threads: on jvm-runtime, 13 more thread pools filling were flagged.
     */
    static final double FAST_SHARE_WITH_LOAD = 0.3;
    static final double RISE_SHARE_WITH_LOAD = 0.25;
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
}
