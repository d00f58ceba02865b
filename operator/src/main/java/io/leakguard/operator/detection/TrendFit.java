package io.leakguard.operator.detection;

import io.leakguard.operator.detection.TrendStatistics.MannKendall;
import io.leakguard.operator.detection.TrendStatistics.TheilSen;

/**
 * The trend of one folded series, judged from where its rise starts. Pure: troughs in, a fit out.
 * <ol>
 * <li>Change point: where the series turns from flat to rising, chosen by BIC between one line over
 * the whole window and a flat stretch followed by a line. A leak that starts mid-window is judged on
 * the part after it, not diluted by the flat part before.</li>
 * <li>Significance: Mann-Kendall over that part at the policy's confidence, and the Theil-Sen slope
 * with its confidence bounds.</li>
 * <li>Guards: a rise that has levelled off in its recent third (a warm-up, a cache fill) and a rise
 * that is one jump (a step: a cache load, a config reload) are not trends; but a series that climbed
 * in two or more separate steps is one, at the whole window's pace ({@link #staircase}).</li>
 * </ol>
 *
 * @param start the index of the first trough the trend is judged on
 * @param note why a significant-looking rise was not counted, or null
 */
public record TrendFit(boolean significant, double slope, double lower, double p, int start, String note) {

    static final TrendFit NONE = new TrendFit(false, Double.NaN, Double.NaN, Double.NaN, 0, null);

    /**
     * This rise at its slope's lower confidence bound, or {@link #NONE} when that bound is no rise: the
     * pace the data promise at least, for projections that must not act on a pace the noise could
     * have made (the fast path's few minutes).
     */
    TrendFit atLowerBound() {
        return atLowerBound(start);
    }

    /**
     * {@link #atLowerBound()}, judged from index {@code from} of another series (the memory's, for a pace the
     * live heap sets).
     */
    TrendFit atLowerBound(int from) {
        return significant && lower > 0 ? new TrendFit(true, lower, lower, p, from, null) : NONE;
    }

    /**
     * This fit, no longer significant when its slope's lower confidence bound is no rise: Mann-Kendall
     * can call a wandering series rising while Theil-Sen cannot bound its pace above zero, and a death
     * projected along such a pace is the noise's, not a leak's.
     */
    TrendFit boundedAboveZero() {
        return significant && !(lower > 0) ? new TrendFit(false, slope, lower, p, start, null) : this;
    }

    /** Below this share of the whole rise's pace, the recent third has levelled off. */
    static final double LEVEL_SHARE = 0.25;
    /** A single jump carrying more than this share of the rise makes it a step. */
    static final double STEP_SHARE = 2.0 / 3.0;

    /**
     * @param findStart look for the change point, or judge the whole series
     * @param slopeWhenFlat fit the slope of a series with no significant rise too (for reports), or leave it NaN
     */
    static TrendFit fit(double[] t, double[] v, int n, double confidence, boolean findStart, boolean slopeWhenFlat,
            int span, DetectorScratch scratch) {
        if (n < TroughFold.MIN_TROUGHS) {
            return NONE;
        }
        TrendFit judged = fitFromChangePoint(t, v, n, confidence, findStart, slopeWhenFlat, span, scratch);
        if (!findStart || judged.significant() || judged.note() == null || !staircase(v, n)) {
            return judged;
        }
        // The guards saw a step, a levelling or a rise that stopped; but the window climbed in two or more
        // separate steps, so the rise is repeated, not one-off: a leak that grows in bursts (a batch that
        // keeps some of what it loads, an allocation per deploy or per reload). Its pace is the whole window's.
        // Only for the memory and heap over the window (the fits that look for where a rise starts): threads
        // follow traffic's bursts, and the fast path's few minutes hold no pattern of steps.
        MannKendall whole = TrendStatistics.mannKendall(v, n);
        if (whole.pUpward() > 1.0 - confidence) {
            return judged;
        }
        TheilSen ts = TrendStatistics.theilSen(t, v, n, confidence, whole.variance(), scratch.slopes);
        // Overruling a guard takes a rise whose lower confidence bound is itself a rise.
        return ts.lower() > 0 ? new TrendFit(true, ts.slope(), ts.lower(), whole.pUpward(), 0, null) : judged;
    }

    /** A jump between neighbouring troughs carrying more than this share of the window's rise is part of a step. */
    static final double STAIR_JUMP_SHARE = 1.0 / 8;
    /** A step (neighbouring jumps together) carrying more than this share of the window's rise counts as one. */
    static final double STAIR_STEP_SHARE = 1.0 / 4;

    /**
     * The window rose in at least two separate steps: runs of jumps, each run carrying more than
     * {@link #STAIR_STEP_SHARE} of the rise, with a trough of (almost) no rise between them. A fill or
     * a one-off step is one run; a steady rise has no jump that large.
     */
    static boolean staircase(double[] v, int n) {
        double rise = median3(v, n - 3) - median3(v, 0);
        if (!(rise > 0)) {
            return false;
        }
        int steps = 0;
        double run = 0;
        for (int i = 1; i < n; i++) {
            double jump = v[i] - v[i - 1];
            if (jump > STAIR_JUMP_SHARE * rise) {
                run += jump;
                continue;
            }
            if (run > STAIR_STEP_SHARE * rise) {
                steps++;
            }
            run = 0;
        }
        if (run > STAIR_STEP_SHARE * rise) {
            steps++;
        }
        return steps >= 2;
    }

    private static TrendFit fitFromChangePoint(double[] t, double[] v, int n, double confidence, boolean findStart,
            boolean slopeWhenFlat, int span, DetectorScratch scratch) {
        int start = findStart ? changePoint(t, v, n, span) : 0;
        int m = n - start;
        double[] st = scratch.subTimes;
        double[] sv = scratch.subValues;
        System.arraycopy(t, start, st, 0, m);
        System.arraycopy(v, start, sv, 0, m);
        MannKendall mk = TrendStatistics.mannKendall(sv, m);
        if (!slopeWhenFlat && mk.pUpward() > 1.0 - confidence) {
            return new TrendFit(false, Double.NaN, Double.NaN, mk.pUpward(), start, null);
        }
        TheilSen ts = TrendStatistics.theilSen(st, sv, m, confidence, mk.variance(), scratch.slopes);
        boolean rising = mk.pUpward() <= 1.0 - confidence && ts.slope() > 0;
        if (!rising) {
            // Flat since its change point, though the window as a whole rose: the rise was one-off.
            boolean roseBefore = start > 0 && TrendStatistics.mannKendall(v, n).pUpward() <= 1.0 - confidence;
            return new TrendFit(false, ts.slope(), ts.lower(), mk.pUpward(), start,
                    roseBefore ? "a one-off rise that has stopped (a step or a fill), not a steady one" : null);
        }
        String note = levelledOff(st, sv, m, ts.slope(), scratch) ? "the rise has levelled off"
                : oneStep(sv, m) ? "a one-off step, not a steady rise" : null;
        return new TrendFit(note == null, ts.slope(), ts.lower(), mk.pUpward(), start, note);
    }

    /**
     * The index where the rise starts: 0 for one line over the whole series, or the start of the
     * line after a flat stretch when that fits better by BIC (two more parameters). At least
     * {@link TroughFold#MIN_TROUGHS} troughs are left after it, and none falls among the first {@code span}
     * troughs. O(n^2) over at most 31 troughs.
     */
    static int changePoint(double[] t, double[] v, int n, int span) {
        double sseLine = lineSse(t, v, 0, n);
        if (n < 2 * TroughFold.MIN_TROUGHS) {
            return 0;
        }
        double best = bic(sseLine, n, 2);
        int bestStart = 0;
        double flatSum = 0;
        double flatSquares = 0;
        for (int k = 1; k <= n - TroughFold.MIN_TROUGHS; k++) {
            flatSum += v[k - 1];
            flatSquares += v[k - 1] * v[k - 1];
            if (k < span) {
                // The first troughs are floors of fewer groups: on any rise they read flat, and a
                // change point among them would be an artefact of the fold, not where a leak began.
                continue;
            }
            double flatSse = Math.max(0, flatSquares - flatSum * flatSum / k);
            double score = bic(flatSse + lineSse(t, v, k, n), n, 4);
            if (score < best) {
                best = score;
                bestStart = k;
            }
        }
        return bestStart;
    }

    private static double bic(double sse, int n, int parameters) {
        return n * Math.log(Math.max(sse, 1e-12) / n) + parameters * Math.log(n);
    }

    /** Residual sum of squares of the least-squares line over [from, to). */
    private static double lineSse(double[] t, double[] v, int from, int to) {
        double n = to - from;
        double st = 0;
        double sv = 0;
        double stt = 0;
        double stv = 0;
        double svv = 0;
        for (int i = from; i < to; i++) {
            st += t[i];
            sv += v[i];
            stt += t[i] * t[i];
            stv += t[i] * v[i];
            svv += v[i] * v[i];
        }
        double varT = stt - st * st / n;
        double covTv = stv - st * sv / n;
        double varV = svv - sv * sv / n;
        return Math.max(0, varT <= 0 ? varV : varV - covTv * covTv / varT);
    }

    /** The recent third rises at under {@link #LEVEL_SHARE} of the whole pace: a warm-up nearing its plateau. */
    private static boolean levelledOff(double[] t, double[] v, int m, double slope, DetectorScratch scratch) {
        return recentSlope(t, v, 0, m, scratch) < LEVEL_SHARE * slope;
    }

    /** The Theil-Sen slope of troughs {@code from} to {@code n - 1}'s recent third; infinite when too few. */
    static double recentSlope(double[] t, double[] v, int from, int n, DetectorScratch scratch) {
        int m = n - from;
        int third = Math.max(4, m / 3);
        if (third >= m) {
            return Double.POSITIVE_INFINITY;
        }
        double[] rt = scratch.recentTimes;
        double[] rv = scratch.recentValues;
        System.arraycopy(t, n - third, rt, 0, third);
        System.arraycopy(v, n - third, rv, 0, third);
        MannKendall recentMk = TrendStatistics.mannKendall(rv, third);
        TheilSen recent = TrendStatistics.theilSen(rt, rv, third, 0.9, recentMk.variance(), scratch.slopes);
        return recent.slope();
    }

    /** One jump between neighbouring troughs carries most of the rise. */
    private static boolean oneStep(double[] v, int m) {
        double rise = median3(v, m - 3) - median3(v, 0);
        double maxJump = 0;
        for (int i = 1; i < m; i++) {
            maxJump = Math.max(maxJump, v[i] - v[i - 1]);
        }
        return rise > 0 && maxJump > STEP_SHARE * rise;
    }

    private static double median3(double[] v, int from) {
        double a = v[from];
        double b = v[from + 1];
        double c = v[from + 2];
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
