package io.leakguard.operator.detection;

/**
 * The trends last fitted for one pod, each keyed by a hash of the troughs and the confidence it was
 * fitted from. A new sample seldom changes a complete trough, so most evaluations reuse the fits and
 * redo only the cheap parts (staleness, projection). Kept beside the pod's series, one per pod and
 * life; guarded by the same lock as the series.
 */
public final class TrendCache {

    /**
     * A rise once significant stays so while its p-value is within this many times the threshold:
     * a young history is regrouped as it grows, and a regrouping is not new evidence.
     */
    static final double HOLD_FACTOR = 5;

    private final Slot memory = new Slot(true, true);
    private final Slot heap = new Slot(true, true);
    /** Threads follow traffic: their trend is judged over the whole window, never from a change point. */
    private final Slot threads = new Slot(false, true);
    /** The fast path's fits over the most recent buckets, as a whole. */
    private final Slot recentMemory = new Slot(false, false);
    private final Slot recentHeap = new Slot(false, false);
    /** The same, from where their rise starts: a leak that began minutes ago, on a flat stretch. */
    private final Slot recentMemorySince = new Slot(true, false);
    private final Slot recentHeapSince = new Slot(true, false);
    /** This life's threads once grew past the policy's bound by their share of their level (see TrendDetector). */
    private boolean threadsOutgrewTheirLevel;

    boolean threadsOutgrewTheirLevel() {
        return threadsOutgrewTheirLevel;
    }

    void markThreadsOutgrewTheirLevel() {
        threadsOutgrewTheirLevel = true;
    }

    TrendFit memory(TroughFold.Folded f, double confidence, DetectorScratch scratch) {
        return memory.fit(f.memoryTimes, f.memory, f.memoryLength, confidence, f.span, scratch);
    }

    TrendFit heap(TroughFold.Folded f, double confidence, DetectorScratch scratch) {
        return heap.fit(f.heapTimes, f.heap, f.heapLength, confidence, f.span, scratch);
    }

    TrendFit threads(TroughFold.Folded f, double confidence, DetectorScratch scratch) {
        return threads.fit(f.threadTimes, f.threads, f.threadLength, confidence, f.span, scratch);
    }

    TrendFit recentMemory(TroughFold.Folded f, double confidence, DetectorScratch scratch) {
        return recentMemory.fit(f.memoryTimes, f.memory, f.memoryLength, confidence, f.span, scratch);
    }

    TrendFit recentHeap(TroughFold.Folded f, double confidence, DetectorScratch scratch) {
        return recentHeap.fit(f.heapTimes, f.heap, f.heapLength, confidence, f.span, scratch);
    }

    TrendFit recentMemorySince(TroughFold.Folded f, double confidence, DetectorScratch scratch) {
        return recentMemorySince.fit(f.memoryTimes, f.memory, f.memoryLength, confidence, f.span, scratch);
    }

    TrendFit recentHeapSince(TroughFold.Folded f, double confidence, DetectorScratch scratch) {
        return recentHeapSince.fit(f.heapTimes, f.heap, f.heapLength, confidence, f.span, scratch);
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

        TrendFit fit(double[] t, double[] v, int n, double confidence, int span, DetectorScratch scratch) {
            long k = (Double.doubleToLongBits(confidence) * 31 + n) * 31 + span;
            for (int i = 0; i < n; i++) {
                k = k * 1_000_003L + Double.doubleToLongBits(t[i]);
                k = k * 1_000_003L + Double.doubleToLongBits(v[i]);
            }
            if (fit == null || key != k) {
                TrendFit fresh = TrendFit.fit(t, v, n, confidence, findStart, slopeWhenFlat, span, scratch);
                // Hysteresis (see HOLD_FACTOR), unless a guard objects: one sample on the edge, or a
                // regrouping, does not flip a verdict (and its Events) back and forth.
                if (fit != null && fit.significant() && !fresh.significant() && fresh.note() == null
                        && fresh.slope() > 0 && fresh.p() <= HOLD_FACTOR * (1 - confidence)) {
                    fresh = new TrendFit(true, fresh.slope(), fresh.lower(), fresh.p(), fresh.start(), null);
                }
                fit = fresh;
                key = k;
            }
            return fit;
        }
    }
}
