package io.leakguard.operator.detection;

import io.leakguard.operator.series.PodSeries;

/**
 * Pure: thread floors that were never given back, over hours. A goroutine leak slower than what
 * traffic's swings hide within one window (a hundred an hour on a pod of thousands) still shows
 * as the lowest thread count of each half-window rising above that of the half-window before it,
 * half-window after half-window, while traffic lets in-flight goroutines go as well as come. Such
 * a run counts, whatever the window's own trend says, when it rose by at least {@link #MIN_RISE}
 * and by more than the load can carry ({@link ThreadGrowth#unexplainedRise}) at the highest of the
 * half-windows' mean loads: a traffic ramp, or a daily cycle's upswing, that lifts the threads lifts
 * the load with them.
 *
 * @param points how many half-windows the run spans, 0 when none counts
 * @param from the run's first floor
 * @param to its latest floor
 * @param loadRise how far the highest mean load in the run stood above the first's, as a share of it
 */
record ThreadRatchet(int points, double from, double to, double loadRise) {

    static final ThreadRatchet NONE = new ThreadRatchet(0, Double.NaN, Double.NaN, Double.NaN);

    /**
     * Half-windows in a row whose floors must each stand above the one before: six (three hours at a
     * one-hour window) leave such a run by chance at one in 720 orderings. Measured on the go-runtime and
     * go-rough corpora (five seeds each, 3,000 healthy pods): at four, seven healthy pods of bursty or
     * daily traffic were flagged by it; at six, with the highest load and {@link #MIN_RISE}, none.
     */
    static final int MIN_POINTS = 6;

    /** The least rise, in threads, that counts: as for an unbroken rise, a handful of goroutines is not a leak. */
    static final double MIN_RISE = ThreadGrowth.UNBROKEN_MIN;

    boolean counts() {
        return points > 0;
    }

    /**
     * The run of rising floors that ends at the window's later half: the half-windows before the window
     * ({@link PodSeries.Window#chunkThreadsLow}), then the window's two halves. NONE where the run is
     * shorter than {@link #MIN_POINTS}, a load is missing, or the rise is within what the load carries.
     */
    static ThreadRatchet judge(PodSeries.Window w, double[] lows, double[] loads) {
        // The window's two halves and the half-windows before it: a run needs enough of them at all.
        if (w.length < 2 || w.chunkCount + 2 < MIN_POINTS) {
            return NONE;
        }
        int n = 0;
        for (int i = 0; i < w.chunkCount; i++) {
            lows[n] = w.chunkThreadsLow[i];
            loads[n] = w.chunkLoad[i];
            n++;
        }
        long middle = w.time[0] + (w.time[w.length - 1] - w.time[0]) / 2;
        n = half(w, 0, middle, lows, loads, n);
        n = half(w, middle, Long.MAX_VALUE, lows, loads, n);
        int first = n - 1;
        while (first > 0 && lows[first - 1] < lows[first]) {
            first--;
        }
        int points = n - first;
        // Every half-window of the run needs its load: the rise is weighed against the highest.
        if (points < MIN_POINTS || !(loads[first] > 0)) {
            return NONE;
        }
        double highestLoad = loads[first];
        for (int i = first + 1; i < n; i++) {
            if (Double.isNaN(loads[i])) {
                return NONE;
            }
            highestLoad = Math.max(highestLoad, loads[i]);
        }
        double loadRise = highestLoad / loads[first] - 1;
        double from = lows[first];
        double to = lows[n - 1];
        return to - from >= MIN_RISE && ThreadGrowth.unexplainedRise(to - from, from, loadRise)
                ? new ThreadRatchet(points, from, to, loadRise) : NONE;
    }

    /** Adds the lowest thread floor and mean load of the window's buckets from {@code start} until {@code end}. */
    private static int half(PodSeries.Window w, long start, long end, double[] lows, double[] loads, int n) {
        double low = Double.NaN;
        double sum = 0;
        int withLoad = 0;
        int buckets = 0;
        for (int i = 0; i < w.length; i++) {
            if (w.time[i] >= start && w.time[i] < end) {
                buckets++;
                low = PodSeries.minIgnoringNaN(low, w.threads[i]);
                if (!Double.isNaN(w.load[i])) {
                    sum += w.load[i];
                    withLoad++;
                }
            }
        }
        lows[n] = low;
        loads[n] = PodSeries.mostlyKnown(withLoad, buckets) ? sum / withLoad : Double.NaN;
        return n + 1;
    }
}
