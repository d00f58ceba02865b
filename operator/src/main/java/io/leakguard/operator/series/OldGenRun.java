package io.leakguard.operator.series;

/**
 * A G1 old generation's current run without a shrink, in a few numbers: it grows as young collections
 * promote into it and shrinks only when a mixed or full collection frees part of it. Kept: its latest
 * size, where the run started, and two marks along it, at least {@link #PACE_MILLIS} apart, for its
 * recent pace. A missed scrape does not end a run; a scrape after a gap of more than {@link #GAP_MILLIS}
 * does, since a shrink may have passed unseen.
 */
final class OldGenRun {

    /** A drop of the old generation by more than this share of it counts as a collection that freed some. */
    static final double SHRINK = 0.01;
    static final long GAP_MILLIS = 5 * 60_000;
    /** The recent pace of a run is measured over the last 10 to 20 minutes of it. */
    static final long PACE_MILLIS = 10 * 60_000;

    private double latest = Double.NaN;
    private long latestMillis = Long.MIN_VALUE;
    private double from = Double.NaN;
    private long fromMillis = Long.MIN_VALUE;
    private double paceFrom = Double.NaN;
    private long paceFromMillis = Long.MIN_VALUE;
    private double paceNext = Double.NaN;
    private long paceNextMillis = Long.MIN_VALUE;

    void add(long timeMillis, double oldGen) {
        if (Double.isNaN(oldGen) || oldGen < 0) {
            return;
        }
        boolean shrank = !Double.isNaN(latest) && oldGen < latest * (1 - SHRINK);
        boolean gap = latestMillis == Long.MIN_VALUE || timeMillis - latestMillis > GAP_MILLIS;
        if (shrank || gap) {
            from = paceFrom = paceNext = oldGen;
            fromMillis = paceFromMillis = paceNextMillis = timeMillis;
        } else if (timeMillis - paceNextMillis >= PACE_MILLIS) {
            paceFrom = paceNext;
            paceFromMillis = paceNextMillis;
            paceNext = oldGen;
            paceNextMillis = timeMillis;
        }
        latest = oldGen;
        latestMillis = timeMillis;
    }

    /** Fills the window's old-generation fields: NaN and a run of 0 without a gauge. */
    void copyTo(PodSeries.Window out) {
        out.oldGenLatest = latest;
        out.oldGenRunFrom = from;
        out.oldGenRunMillis = fromMillis == Long.MIN_VALUE ? 0 : latestMillis - fromMillis;
        long paceMillis = latestMillis - paceFromMillis;
        out.oldGenPacePerHour = paceFromMillis == Long.MIN_VALUE || paceMillis <= 0 ? Double.NaN
                : (latest - paceFrom) / (paceMillis / 3_600_000.0);
    }
}
