package io.leakguard.operator.detection;

/**
 * The trends last fitted for one pod, each keyed by a hash of the troughs and the confidence it was
 * fitted from. A new sample seldom changes a complete trough, so most evaluations reuse the fits and
 * redo only the cheap parts (staleness, projection). Kept beside the pod's series, one per pod and
 * life; guarded by the same lock as the series.
 */
public final class TrendCache {

    private final Slot memory = new Slot(true, true);
    private final Slot heap = new Slot(true, true);
    /** Threads follow traffic: their trend is judged over the whole window, never from a change point. */
    private final Slot threads = new Slot(false, true);
    /** The fast path's fits over the most recent buckets, as a whole. */
    private final Slot recentMemory = new Slot(false, false);
    private final Slot recentHeap = new Slot(false, false);

    TrendFit memory(double[] t, double[] v, int n, double confidence, DetectorScratch scratch) {
        return memory.fit(t, v, n, confidence, scratch);
    }

    TrendFit heap(double[] t, double[] v, int n, double confidence, DetectorScratch scratch) {
        return heap.fit(t, v, n, confidence, scratch);
    }

    TrendFit threads(double[] t, double[] v, int n, double confidence, DetectorScratch scratch) {
        return threads.fit(t, v, n, confidence, scratch);
    }

    TrendFit recentMemory(double[] t, double[] v, int n, double confidence, DetectorScratch scratch) {
        return recentMemory.fit(t, v, n, confidence, scratch);
    }

    TrendFit recentHeap(double[] t, double[] v, int n, double confidence, DetectorScratch scratch) {
        return recentHeap.fit(t, v, n, confidence, scratch);
    }

    private static final class Slot {
        private final boolean findStart;
        private final boolean slopeWhenFlat;
        private long key;
        private TrendFit fit;

        Slot(boolean findStart, boolean slopeWhenFlat) {
            this.findStart = findStart;
            this.slopeWhenFlat = slopeWhenFlat;
        }

        TrendFit fit(double[] t, double[] v, int n, double confidence, DetectorScratch scratch) {
            long k = Double.doubleToLongBits(confidence) * 31 + n;
            for (int i = 0; i < n; i++) {
                k = k * 1_000_003L + Double.doubleToLongBits(t[i]);
                k = k * 1_000_003L + Double.doubleToLongBits(v[i]);
            }
            if (fit == null || key != k) {
                fit = TrendFit.fit(t, v, n, confidence, findStart, slopeWhenFlat, scratch);
                key = k;
            }
            return fit;
        }
    }
}
