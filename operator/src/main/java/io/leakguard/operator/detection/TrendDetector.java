package io.leakguard.operator.detection;

import io.leakguard.operator.detection.TrendStatistics.MannKendall;
import io.leakguard.operator.detection.TrendStatistics.TheilSen;
import io.leakguard.operator.series.PodSeries;

import static io.leakguard.operator.series.PodSeries.maxIgnoringNaN;
import static io.leakguard.operator.series.PodSeries.minIgnoringNaN;

/**
 * Judges one pod from its bucketed history. The history is folded into at most {@link #TROUGHS}
 * troughs (minimum heap and threads, maximum memory per group), so that a GC sawtooth shows its
 * rising floor rather than its teeth. Then, per series:
 * <ul>
 * <li>Mann-Kendall says whether the rise is significant at the policy's confidence;</li>
 * <li>Theil-Sen gives the slope and its lower confidence bound;</li>
 * <li>two guards keep warm-ups and one-off steps from passing for leaks: the rise must continue in
 * the recent half of the window, and no single jump may carry most of it.</li>
 * </ul>
 * The projected OOM takes the latest memory peak and the heap's lower slope bound: the slowest
 * growth still consistent with the data, so a projection errs on the side of not restarting.
 * Not thread-safe: it reuses scratch arrays, so use one per thread.
 */
public final class TrendDetector {

    public static final int TROUGHS = 30;
    private static final int MIN_TROUGHS = 6;
    private static final int TROUGH_SPAN = 3;
    private static final long MIN_GROUP_MILLIS = 120_000;
    private static final double STEP_SHARE = 0.5;
    private static final double RECENT_SHARE = 1.0 / 3.0;
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    /** At most TROUGHS whole groups in a window, plus the group in progress. */
    private static final int GROUPS = TROUGHS + 1;
    private final double[] heap = new double[GROUPS];
    private final double[] heapTimes = new double[GROUPS];
    private final double[] threads = new double[GROUPS];
    private final double[] threadTimes = new double[GROUPS];
    private final double[] subValues = new double[GROUPS];
    private final double[] subTimes = new double[GROUPS];
    private final double[] slopes = new double[GROUPS * (GROUPS - 1) / 2];
    private final PodSeries.Window window = new PodSeries.Window();

    /** Evaluates a pod's series as of {@code nowMillis}. */
    public Verdict evaluate(PodSeries series, long nowMillis, double memoryLimitBytes, DetectorSettings settings) {
        long from = Math.max(nowMillis - settings.windowMillis(), series.lifeStartMillis() + settings.warmupMillis());
        series.copyFrom(from, window);
        memo = series.detectorMemo() instanceof Memo m ? m : new Memo();
        try {
            return evaluate(window, nowMillis, series.lastSampleMillis(), memoryLimitBytes, settings);
        } finally {
            series.detectorMemo(memo);
            memo = null;
        }
    }

    /**
     * Trends computed from a pod's troughs, keyed by a hash of the troughs and the confidence. Most
     * samples leave every trough as it was (a sample above its group's minimum changes nothing), so
     * most evaluations reuse the statistics and only redo the cheap parts (staleness, projection).
     */
    private static final class Memo {
        long heapKey;
        Trend heap;
        long threadKey;
        Trend threads;
    }

    private Memo memo;

    /** Evaluates buckets already cut to the window and past the warm-up, oldest first. */
    public Verdict evaluate(PodSeries.Window w, long nowMillis, long lastSampleMillis, double memoryLimitBytes,
            DetectorSettings s) {
        int samples = 0;
        for (int i = 0; i < w.length; i++) {
            samples += w.samples[i];
        }
        if (lastSampleMillis == Long.MIN_VALUE || w.length == 0) {
            return Verdict.insufficient(samples, "no samples yet after the warm-up");
        }
        long staleMillis = nowMillis - lastSampleMillis;
        if (staleMillis > 3 * s.intervalMillis()) {
            return Verdict.insufficient(samples, "no sample for " + seconds(staleMillis) + "s: the endpoint is not answering");
        }
        if (samples < s.minSamples()) {
            return Verdict.insufficient(samples, samples + " of the " + s.minSamples()
                    + " samples needed in the window after the warm-up");
        }

        long bucketsInWindow = Math.max(1, s.windowMillis() / s.bucketMillis());
        // A group spans up to MIN_GROUP_MILLIS, so that its minimum is a real post-GC trough even when GC
        // cycles are longer than a bucket; a short window gets shorter groups, so that it still holds
        // twice the troughs a trend needs.
        long minGroupMillis = Math.min(MIN_GROUP_MILLIS, s.windowMillis() / (2L * MIN_TROUGHS));
        int perGroup = (int) Math.max((bucketsInWindow + TROUGHS - 1) / TROUGHS,
                (long) Math.ceil((double) minGroupMillis / s.bucketMillis()));
        // Groups are aligned to wall-clock multiples of their width, and a group cut by the start of the
        // window is left out: so a trough, once complete, never changes, and its statistics can be reused.
        long groupMillis = perGroup * s.bucketMillis();
        long firstGroup = Math.floorDiv(w.time[0] + groupMillis - 1, groupMillis);
        int nHeap = 0;
        int nThreads = 0;
        double latestPeak = Double.NaN;
        double latestThreads = Double.NaN;
        int recentFrom = Math.max(0, w.length - 2 * perGroup);
        int i = 0; // walks the buckets, group by group
        while (i < w.length && Math.floorDiv(w.time[i], groupMillis) < firstGroup) {
            i++;
        }
        while (i < w.length && nHeap < heap.length && nThreads < threads.length) {
            long group = Math.floorDiv(w.time[i], groupMillis);
            double t = group * (groupMillis / MILLIS_PER_HOUR);
            double heapTrough = Double.NaN;
            double threadTrough = Double.NaN;
            while (i < w.length && Math.floorDiv(w.time[i], groupMillis) == group) {
                heapTrough = minIgnoringNaN(heapTrough, w.heap[i]);
                threadTrough = minIgnoringNaN(threadTrough, w.threads[i]);
                i++;
            }
            if (!Double.isNaN(heapTrough)) {
                heapTimes[nHeap] = t;
                heap[nHeap++] = heapTrough;
            }
            if (!Double.isNaN(threadTrough)) {
                threadTimes[nThreads] = t;
                threads[nThreads++] = threadTrough;
            }
        }
        for (i = recentFrom; i < w.length; i++) {
            latestPeak = maxIgnoringNaN(latestPeak, Double.isNaN(w.memory[i]) ? w.heap[i] : w.memory[i]);
            if (!Double.isNaN(w.threads[i])) {
                latestThreads = w.threads[i];
            }
        }

        if (nHeap < MIN_TROUGHS && nThreads < MIN_TROUGHS) {
            return Verdict.insufficient(samples, "a trend needs " + (MIN_TROUGHS + 1) * groupMillis / 60_000
                    + "m of history after the warm-up; " + (w.time[w.length - 1] - w.time[0]) / 60_000 + "m so far");
        }
        rollingMin(heap, nHeap);
        rollingMin(threads, nThreads);
        Trend heapTrend = memoized(heapTimes, heap, nHeap, s.confidence(), true);
        Trend threadTrend = memoized(threadTimes, threads, nThreads, s.confidence(), false);

        double eta = Double.POSITIVE_INFINITY;
        boolean limitKnown = memoryLimitBytes > 0 && !Double.isInfinite(memoryLimitBytes);
        if (heapTrend.significant && limitKnown) {
            // Scrapes alias with GC cycles and miss most peaks, so the current peak is taken as the
            // highest of all peaks in the window, each carried forward along the (lower-bound) trend.
            double growthPerMilli = Math.max(heapTrend.lower, 0) / MILLIS_PER_HOUR;
            double peakNow = Double.NaN;
            for (int b = 0; b < w.length; b++) {
                double peak = Double.isNaN(w.memory[b]) ? w.heap[b] : w.memory[b];
                if (!Double.isNaN(peak)) {
                    peakNow = maxIgnoringNaN(peakNow, peak + growthPerMilli * (nowMillis - w.time[b]));
                }
            }
            if (!Double.isNaN(peakNow)) {
                latestPeak = maxIgnoringNaN(latestPeak, peakNow);
                double headroom = memoryLimitBytes - peakNow;
                if (headroom <= 0) {
                    eta = 0;
                } else if (heapTrend.lower > 0) {
                    eta = headroom / heapTrend.lower * 3600.0;
                }
            }
        }
        boolean oomSoon = eta <= s.horizonMillis() / 1000.0;
        boolean threadsTooFast = threadTrend.significant && threadTrend.lower > s.maxThreadGrowthPerHour();
        boolean threadsTooMany = threadTrend.significant && latestThreads > s.maxThreads();

        VerdictKind kind;
        StringBuilder reason = new StringBuilder();
        if (oomSoon || threadsTooFast || threadsTooMany) {
            kind = VerdictKind.Leaking;
        } else if (heapTrend.significant || threadTrend.significant) {
            kind = VerdictKind.Suspect;
        } else {
            kind = VerdictKind.Healthy;
        }
        if (heapTrend.significant) {
            reason.append("heap baseline ").append(bytesPerHour(heapTrend.slope)).append(" (at least ")
                    .append(bytesPerHour(heapTrend.lower)).append(", p=").append(p(heapTrend.p)).append(")");
            if (!limitKnown) {
                reason.append(", no memory limit to project against");
            } else if (Double.isInfinite(eta)) {
                reason.append(", too uncertain to project an OOM");
            } else {
                reason.append(", projected OOM in ").append(minutes(eta));
            }
        }
        if (threadTrend.significant) {
            append(reason, "threads " + signed(threadTrend.slope) + "/h (at least " + signed(threadTrend.lower)
                    + "/h, p=" + p(threadTrend.p) + ")");
            if (threadsTooFast) {
                reason.append(", above the ").append(whole(s.maxThreadGrowthPerHour())).append("/h bound");
            }
            if (threadsTooMany) {
                reason.append(", ").append(whole(latestThreads)).append(" live, above the bound of ")
                        .append(whole(s.maxThreads()));
            }
        }
        if (kind == VerdictKind.Healthy) {
            reason.append(heapTrend.note != null ? heapTrend.note
                    : threadTrend.note != null ? threadTrend.note : "no significant upward trend");
        }
        return new Verdict(kind, heapTrend.slope, heapTrend.lower, heapTrend.p, threadTrend.slope, threadTrend.lower,
                threadTrend.p, eta, latestThreads, latestPeak, samples, reason.toString());
    }

    private record Trend(boolean significant, double slope, double lower, double p, String note) {
        static final Trend NONE = new Trend(false, Double.NaN, Double.NaN, Double.NaN, null);
    }

    private Trend memoized(double[] t, double[] v, int n, double confidence, boolean heapSeries) {
        if (memo == null) {
            return trend(t, v, n, confidence);
        }
        long key = Double.doubleToLongBits(confidence) * 31 + n;
        for (int i = 0; i < n; i++) {
            key = key * 1_000_003L + Double.doubleToLongBits(t[i]);
            key = key * 1_000_003L + Double.doubleToLongBits(v[i]);
        }
        if (heapSeries && memo.heap != null && memo.heapKey == key) {
            return memo.heap;
        }
        if (!heapSeries && memo.threads != null && memo.threadKey == key) {
            return memo.threads;
        }
        Trend trend = trend(t, v, n, confidence);
        if (heapSeries) {
            memo.heapKey = key;
            memo.heap = trend;
        } else {
            memo.threadKey = key;
            memo.threads = trend;
        }
        return trend;
    }

    private Trend trend(double[] t, double[] v, int n, double confidence) {
        if (n < MIN_TROUGHS) {
            return Trend.NONE;
        }
        MannKendall mk = TrendStatistics.mannKendall(v, n);
        TheilSen ts = TrendStatistics.theilSen(t, v, n, confidence, mk.variance(), slopes);
        boolean rising = mk.pUpward() <= 1.0 - confidence && ts.slope() > 0;
        if (!rising) {
            String note = mk.pUpward() <= 1.0 - confidence ? "a one-off step, not a steady rise" : null;
            return new Trend(false, ts.slope(), ts.lower(), mk.pUpward(), note);
        }
        // Guard 1: the rise goes on at a good part of its pace in the recent half, so a warm-up that is
        // levelling off (fast, then slower and slower) is not a leak.
        int half = n / 2;
        System.arraycopy(t, n - half, subTimes, 0, half);
        System.arraycopy(v, n - half, subValues, 0, half);
        MannKendall recentMk = TrendStatistics.mannKendall(subValues, half);
        TheilSen recent = TrendStatistics.theilSen(subTimes, subValues, half, confidence, recentMk.variance(), slopes);
        if (recent.slope() < RECENT_SHARE * ts.slope()) {
            return new Trend(false, ts.slope(), ts.lower(), mk.pUpward(), "the rise has levelled off in the recent half");
        }
        // Guard 2: a one-off step (a cache load, a config reload) is not a trend.
        double rise = median3(v, n - 3) - median3(v, 0);
        double maxJump = 0;
        for (int i = 1; i < n; i++) {
            maxJump = Math.max(maxJump, v[i] - v[i - 1]);
        }
        if (rise > 0 && maxJump > STEP_SHARE * rise) {
            return new Trend(false, ts.slope(), ts.lower(), mk.pUpward(), "a one-off step, not a steady rise");
        }
        return new Trend(true, ts.slope(), ts.lower(), mk.pUpward(), null);
    }

    /**
     * Replaces each trough by the lowest of it and the {@link #TROUGH_SPAN} - 1 before it, so that a GC
     * cycle longer than one group still shows its floor. In place, newest first so inputs stay unread.
     */
    private static void rollingMin(double[] values, int n) {
        for (int i = n - 1; i >= 0; i--) {
            double min = values[i];
            for (int k = 1; k < TROUGH_SPAN && i - k >= 0; k++) {
                min = Math.min(min, values[i - k]);
            }
            values[i] = min;
        }
    }

    private static double median3(double[] v, int from) {
        double a = v[from];
        double b = v[from + 1];
        double c = v[from + 2];
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    private static void append(StringBuilder reason, String text) {
        if (reason.length() > 0) {
            reason.append("; ");
        }
        reason.append(text);
    }

    private static long seconds(long millis) {
        return millis / 1000;
    }

    static String bytesPerHour(double bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        return (mib >= 0 ? "+" : "") + String.format(java.util.Locale.ROOT, "%.1f MiB/h", mib);
    }

    private static String signed(double value) {
        return (value >= 0 ? "+" : "") + whole(value);
    }

    private static String whole(double value) {
        return String.format(java.util.Locale.ROOT, "%.0f", value);
    }

    private static String p(double p) {
        return p < 0.0001 ? "<0.0001" : String.format(java.util.Locale.ROOT, "%.4f", p);
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
