package io.leakguard.operator.series;

import java.util.Arrays;

/**
 * The pod's thread floors and load beyond the window, in half-window chunks: each chunk keeps its
 * lowest thread floor and its mean load, the last {@link #CHUNKS} of them. A goroutine leak slower
 * than traffic's swings within one window shows over hours as floors that are never given back, and
 * a pod's own traffic tells whether it carried them.
 */
final class ThreadChunks {

    /** Chunks kept: hours of history at a one-hour window, for the cost of a few bucket arrays' worth. */
    static final int CHUNKS = 16;

    private final int bucketsPerChunk;
    private final long[] chunk = new long[CHUNKS];
    private final float[] low = new float[CHUNKS];
    private final float[] loadMean = new float[CHUNKS];
    private final float[] memoryHigh = new float[CHUNKS];
    private int newest = -1;
    private int size;
    private long current = Long.MIN_VALUE;
    private double currentLow = Double.NaN;
    private double currentMemoryHigh = Double.NaN;
    private double loadSum;
    private int loadCount;
    private int bucketCount;

    ThreadChunks(int bucketsPerChunk) {
        this.bucketsPerChunk = bucketsPerChunk;
    }

    /** Takes in one bucket leaving the ring: its start (in buckets), thread floor, load and memory peak. */
    void add(int bucketStart, double threadsMin, double load, double memoryMax) {
        long index = Math.floorDiv(bucketStart, bucketsPerChunk);
        if (index != current) {
            close();
            current = index;
        }
        currentLow = PodSeries.minIgnoringNaN(currentLow, threadsMin);
        currentMemoryHigh = PodSeries.maxIgnoringNaN(currentMemoryHigh, memoryMax);
        if (!Double.isNaN(load)) {
            loadSum += load;
            loadCount++;
        }
        bucketCount++;
        if (Math.floorMod(bucketStart, bucketsPerChunk) == bucketsPerChunk - 1) {
            close();
        }
    }

    /** Keeps the chunk being filled once all its buckets have left the ring. */
    private void close() {
        if (current != Long.MIN_VALUE && bucketCount > 0) {
            newest = (newest + 1) % CHUNKS;
            size = Math.min(size + 1, CHUNKS);
            chunk[newest] = current;
            low[newest] = (float) currentLow;
            memoryHigh[newest] = (float) currentMemoryHigh;
            loadMean[newest] = PodSeries.mostlyKnown(loadCount, bucketCount) ? (float) (loadSum / loadCount) : Float.NaN;
        }
        current = Long.MIN_VALUE;
        currentLow = Double.NaN;
        currentMemoryHigh = Double.NaN;
        loadSum = 0;
        loadCount = 0;
        bucketCount = 0;
    }

    /**
     * Copies the complete chunks that start at or after {@code fromMillis}, oldest first (the chunk still
     * filling is left out: part of it is still in the ring), and raises the window's older memory high to
     * the memory peaks of every bucket that has left the ring.
     */
    void copyTo(long baseBucket, long bucketMillis, long fromMillis, PodSeries.Window out) {
        if (out.chunkThreadsLow.length < CHUNKS) {
            out.chunkThreadsLow = Arrays.copyOf(out.chunkThreadsLow, CHUNKS);
            out.chunkLoad = Arrays.copyOf(out.chunkLoad, CHUNKS);
        }
        int n = 0;
        for (int k = size - 1; k >= 0; k--) {
            int i = Math.floorMod(newest - k, CHUNKS);
            long startMillis = (baseBucket + chunk[i] * bucketsPerChunk) * bucketMillis;
            if (startMillis >= fromMillis) {
                out.chunkThreadsLow[n] = low[i];
                out.chunkLoad[n] = loadMean[i];
                out.olderMemoryHigh = PodSeries.maxIgnoringNaN(out.olderMemoryHigh, memoryHigh[i]);
                n++;
            }
        }
        // The buckets of the chunk still filling have left the ring too: their memory peaks count.
        if (current != Long.MIN_VALUE && (baseBucket + current * bucketsPerChunk) * bucketMillis >= fromMillis) {
            out.olderMemoryHigh = PodSeries.maxIgnoringNaN(out.olderMemoryHigh, currentMemoryHigh);
        }
        out.chunkCount = n;
    }
}
