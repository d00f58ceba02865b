package io.leakguard.operator.detection;

import io.leakguard.operator.series.PodSeries;

/**
 * Working space for one evaluation, reused across evaluations by one thread so that judging a pod
 * allocates nothing: the window copied out of the series, the folded troughs, and room for the
 * pairwise slopes. Not thread-safe; the caller keeps one per thread and passes it in.
 */
public final class DetectorScratch {

    /** At most this many groups in a window: {@link TroughFold#TROUGHS} whole ones and one in progress. */
    static final int GROUPS = TroughFold.TROUGHS + 1;

    final PodSeries.Window window = new PodSeries.Window();
    final TroughFold.Folded folded = new TroughFold.Folded(GROUPS);
    final TroughFold.Folded recent = new TroughFold.Folded(GROUPS);
    final double[] subTimes = new double[GROUPS];
    final double[] subValues = new double[GROUPS];
    final double[] recentTimes = new double[GROUPS];
    final double[] recentValues = new double[GROUPS];
    /** The thread floors and loads of the half-windows before the window and of its two halves. */
    final double[] ratchetLows = new double[PodSeries.HISTORY_CHUNKS + 2];
    final double[] ratchetLoads = new double[PodSeries.HISTORY_CHUNKS + 2];
    final double[] slopes = new double[GROUPS * (GROUPS - 1) / 2];
}
