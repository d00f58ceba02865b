package io.leakguard.operator.detection;

import static io.leakguard.operator.series.PodSeries.maxIgnoringNaN;
import static io.leakguard.operator.series.PodSeries.minIgnoringNaN;

import io.leakguard.operator.series.PodSeries;

/**
 * Pure: folds a window of buckets into groups of equal width, aligned to wall-clock multiples of
 * that width, keeping per group the troughs of the threads, the heap and the process memory (so a
 * GC sawtooth shows its rising floor rather than its teeth) and the memory peak. Each trough is
 * then lowered to the lowest of the groups spanning {@link #floorMillis} before it, so that a GC
 * cycle longer than a group still shows its floor. A group cut by the start of the window is left
 * out, so a trough, once complete, never changes: its statistics can be cached.
 */
final class TroughFold {

    /** Groups in a full window. */
    static final int TROUGHS = 30;
    /** The fewest troughs a trend is judged on: six is the least Mann-Kendall can find significant at 99%. */
    static final int MIN_TROUGHS = 6;
    /**
     * A trough is the floor of this much time, longer than most GC cycles; a window shorter than 32 minutes
     * floors an eighth of itself, so that a short window is not one floor from end to end.
     */
    static final long FLOOR_MILLIS = 240_000;

    private TroughFold() {
    }

    /** The folded series, times in hours; NaN-free, each with its own length. */
    static final class Folded {
        final double[] memoryTimes;
        final double[] memory;
        final double[] memoryPeaks;
        final double[] heapTimes;
        final double[] heap;
        final double[] threadTimes;
        final double[] threads;
        /**
         * The load (allocation rate) beside each thread trough: the lowest bucket's of each group, as the
         * threads' trough is their lowest (a burst lifts both, and neither keeps it), then floored over the
         * trough's span as the threads are; NaN where there is none.
         */
        final double[] threadLoads;
        int memoryLength;
        int heapLength;
        int threadLength;
        long groupMillis;
        /** How far back the projection carries the highest peak forward: a window's trough floor. */
        long peakMillis;
        /** How many groups each trough's floor spans: the first {@code span - 1} troughs see fewer. */
        int span;

        Folded(int capacity) {
            memoryTimes = new double[capacity];
            memory = new double[capacity];
            memoryPeaks = new double[capacity];
            heapTimes = new double[capacity];
            heap = new double[capacity];
            threadTimes = new double[capacity];
            threads = new double[capacity];
            threadLoads = new double[capacity];
        }
    }

    /**
     * The width of a group: a full window holds {@link #TROUGHS} of them; a younger history holds at
     * least twice {@link #MIN_TROUGHS}, so that a fast leak is judged long before the window is full.
     * Always a whole number of buckets.
     */
    static long groupMillis(long windowMillis, long bucketMillis, long historyMillis) {
        long target = Math.min(windowMillis / TROUGHS, historyMillis / (2L * MIN_TROUGHS));
        long buckets = Math.max(1, (target + bucketMillis - 1) / bucketMillis);
        return buckets * bucketMillis;
    }

    /** The floor of a trough in a window of {@code windowMillis}. */
    static long floorMillis(long windowMillis) {
        return Math.min(FLOOR_MILLIS, windowMillis / 8);
    }

    static void fold(PodSeries.Window w, long groupMillis, long windowMillis, Folded out) {
        fold(w, 0, groupMillis, floorMillis(windowMillis), out);
        out.peakMillis = floorMillis(windowMillis);
    }

    /** Folds the buckets from index {@code from} on, each trough the floor of {@code floorMillis}. */
    static void fold(PodSeries.Window w, int from, long groupMillis, long floorMillis, Folded out) {
        out.groupMillis = groupMillis;
        out.memoryLength = 0;
        out.heapLength = 0;
        out.threadLength = 0;
        if (w.length <= from) {
            return;
        }
        long firstGroup = Math.floorDiv(w.time[from] + groupMillis - 1, groupMillis);
        int i = from;
        while (i < w.length && Math.floorDiv(w.time[i], groupMillis) < firstGroup) {
            i++;
        }
        int capacity = out.memory.length;
        while (i < w.length && out.memoryLength < capacity && out.heapLength < capacity && out.threadLength < capacity) {
            long group = Math.floorDiv(w.time[i], groupMillis);
            double t = group * (groupMillis / TrendDetector.MILLIS_PER_HOUR);
            double heap = Double.NaN;
            double threads = Double.NaN;
            double load = Double.NaN;
            double floor = Double.NaN;
            double peak = Double.NaN;
            while (i < w.length && Math.floorDiv(w.time[i], groupMillis) == group) {
                // A heap of 0 is not a measurement: Micrometer's live data size before the first old collection.
                heap = w.heap[i] > 0 ? minIgnoringNaN(heap, w.heap[i]) : heap;
                threads = minIgnoringNaN(threads, w.threads[i]);
                load = minIgnoringNaN(load, w.load[i]);
                floor = minIgnoringNaN(floor, w.memoryFloor[i]);
                peak = maxIgnoringNaN(peak, w.memory[i]);
                i++;
            }
            if (!Double.isNaN(floor)) {
                out.memoryTimes[out.memoryLength] = t;
                out.memoryPeaks[out.memoryLength] = peak;
                out.memory[out.memoryLength++] = floor;
            }
            if (!Double.isNaN(heap)) {
                out.heapTimes[out.heapLength] = t;
                out.heap[out.heapLength++] = heap;
            }
            if (!Double.isNaN(threads)) {
                out.threadTimes[out.threadLength] = t;
                out.threadLoads[out.threadLength] = load;
                out.threads[out.threadLength++] = threads;
            }
        }
        int span = (int) Math.max(1, (floorMillis + groupMillis - 1) / groupMillis);
        out.span = span;
        rollingMin(out.memory, out.memoryLength, span);
        rollingMin(out.heap, out.heapLength, span);
        rollingMin(out.threads, out.threadLength, span);
        rollingMin(out.threadLoads, out.threadLength, span);
    }

    /**
     * Replaces each value by the lowest of it and the {@code span - 1} before it; in place, newest first.
     * NaN is no value, and stays only where the span has none.
     */
    static void rollingMin(double[] values, int n, int span) {
        for (int i = n - 1; i >= 0; i--) {
            double min = values[i];
            for (int k = 1; k < span && i - k >= 0; k++) {
                min = minIgnoringNaN(min, values[i - k]);
            }
            values[i] = min;
        }
    }
}
