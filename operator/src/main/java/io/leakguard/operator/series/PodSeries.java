package io.leakguard.operator.series;

import java.util.Arrays;

/**
 * The recent history of one life of one pod, in fixed memory: a ring of time buckets, each
 * keeping the minimum thread count, the minimum heap (the trough: the post-GC baseline), the
 * minimum and maximum process memory (its floor, which shows what is kept, and its peak, which is
 * what meets the limit), the load (the mean allocation rate over the bucket) and how many samples
 * fell in it; and the latest heap max, a JVM's second ceiling. Primitive arrays only, the gauges as
 * floats (24 bits: a 2 GiB level to 256 bytes, a thread count exactly) and the bucket starts as bucket
 * numbers: 120 buckets cost about 3.2 KiB.
 */
public final class PodSeries {

    /** Half-windows of thread history kept beyond the window. */
    public static final int HISTORY_CHUNKS = ThreadChunks.CHUNKS;

    private final String lifeKey;
    private final long lifeStartMillis;
    private final long bucketMillis;
    /** Each bucket's start, in buckets after {@link #baseBucket}. */
    private final int[] bucketStart;
    private final float[] threadsMin;
    private final float[] heapMin;
    private final float[] memoryMin;
    private final float[] memoryMax;
    private final float[] load;
    private final short[] samples;
    private long baseBucket = Long.MIN_VALUE;
    private double heapMaxBytes = Double.NaN;
    /** Whether the memory floor has been read without a committed heap (a JVM's, bounded by its heap max). */
    private boolean committedLeftOut;
    /** The least committed heap seen: what a JVM committed at its start ({@code -Xms}). */
    private double committedLow = Double.NaN;
    /** The most heap in use seen, at most the committed heap: touched, so resident. */
    private double heapUsedHigh = Double.NaN;
    private double softLimitBytes = Double.NaN;
    private double olderThreadsHigh = Double.NaN;
    /** The half-windows that have left the ring, oldest first: their start, lowest thread floor and mean load. */
    private final ThreadChunks chunks;
    /** A G1 old generation's run without a shrink. */
    private final OldGenRun oldGen = new OldGenRun();
    /** Buckets that have left the ring. */
    private long olderBuckets;
    private int newest = -1;
    private int size;
    private long lastSampleMillis = Long.MIN_VALUE;
    /** The allocation counter's latest value and when it was read. */
    private double lastAllocated = Double.NaN;
    private long lastAllocatedMillis;
    /** The counter's last value before the newest bucket: its load is the rate since. */
    private double loadFrom = Double.NaN;
    private long loadFromMillis;

    public PodSeries(String lifeKey, long lifeStartMillis, long bucketMillis, int capacity) {
        if (bucketMillis <= 0 || capacity < 2) {
            throw new IllegalArgumentException("bucket " + bucketMillis + "ms, capacity " + capacity);
        }
        this.lifeKey = lifeKey;
        this.lifeStartMillis = lifeStartMillis;
        this.bucketMillis = bucketMillis;
        this.bucketStart = new int[capacity];
        this.threadsMin = new float[capacity];
        this.heapMin = new float[capacity];
        this.memoryMin = new float[capacity];
        this.memoryMax = new float[capacity];
        this.load = new float[capacity];
        this.samples = new short[capacity];
        this.chunks = new ThreadChunks(Math.max(1, capacity / 2));
    }

    public String lifeKey() {
        return lifeKey;
    }

    public long lifeStartMillis() {
        return lifeStartMillis;
    }

    public long bucketMillis() {
        return bucketMillis;
    }

    public int capacity() {
        return bucketStart.length;
    }

    public int size() {
        return size;
    }

    public long lastSampleMillis() {
        return lastSampleMillis;
    }

    /** The latest heap max seen (a JVM's {@code -Xmx}), or NaN. */
    public double heapMaxBytes() {
        return heapMaxBytes;
    }

    /** The latest soft memory limit seen (a Go runtime's GOMEMLIMIT), or NaN when unset. */
    public double softLimitBytes() {
        return softLimitBytes;
    }

    /**
     * Adds one sample. NaN means the gauge was absent. A sample older than the newest bucket is
     * dropped: series only move forward.
     */
    public void add(long timeMillis, double threads, double heap, double memory) {
        add(timeMillis, Gauges.of(threads, heap, memory));
    }

    /**
     * Adds one sample. The memory floor leaves a JVM's committed heap out (it grows towards the heap
     * max, which is bounded and not a leak, while what grows beside it is what the kernel will kill
     * for).
     */
    public void add(long timeMillis, Gauges g) {
        double threads = g.threads();
        double heap = g.heap();
        long bucket = Math.floorDiv(timeMillis, bucketMillis);
        if (baseBucket == Long.MIN_VALUE) {
            baseBucket = bucket;
        }
        if (bucket - baseBucket < 0 || bucket - baseBucket > Integer.MAX_VALUE) {
            return;
        }
        int start = (int) (bucket - baseBucket);
        if (newest >= 0 && start < bucketStart[newest]) {
            return;
        }
        if (newest < 0 || start > bucketStart[newest]) {
            newest = (newest + 1) % bucketStart.length;
            if (size == bucketStart.length) {
                olderThreadsHigh = maxIgnoringNaN(olderThreadsHigh, threadsMin[newest]);
                chunks.add(bucketStart[newest], threadsMin[newest], load[newest], memoryMax[newest]);
                olderBuckets++;
            }
            size = Math.min(size + 1, bucketStart.length);
            bucketStart[newest] = start;
            threadsMin[newest] = Float.NaN;
            heapMin[newest] = Float.NaN;
            memoryMin[newest] = Float.NaN;
            memoryMax[newest] = Float.NaN;
            load[newest] = Float.NaN;
            loadFrom = lastAllocated;
            loadFromMillis = lastAllocatedMillis;
            samples[newest] = 0;
        }
        if (g.heapMax() > 0) {
            heapMaxBytes = g.heapMax();
        }
        if (!Double.isNaN(g.softLimit())) {
            softLimitBytes = g.softLimitIfSet();
        }
        oldGen.add(timeMillis, g.oldGen());
        threadsMin[newest] = (float) minIgnoringNaN(threadsMin[newest], threads);
        heapMin[newest] = (float) minIgnoringNaN(heapMin[newest], heap);
        memoryMin[newest] = (float) minIgnoringNaN(memoryMin[newest], memoryFloor(g));
        memoryMax[newest] = (float) maxIgnoringNaN(memoryMax[newest], g.memory());
        double rate = load(timeMillis, g.allocated());
        if (!Double.isNaN(rate)) {
            load[newest] = (float) rate;
        }
        if (samples[newest] < Short.MAX_VALUE) {
            samples[newest]++;
        }
        lastSampleMillis = Math.max(lastSampleMillis, timeMillis);
    }

    /**
     * The memory's floor for its trend: without the committed heap, which is bounded by the heap max (the
     * memory beside it is what the kernel will kill for). But a heap committed at the start ({@code -Xms} as
     * {@code -Xmx}) is resident only as the JVM touches it: a young generation at once, an old one as far as
     * promotion fills it (under Parallel and Serial, up to their first full collection, which may take
     * hours). Without what it has not touched, the floor would rise all that while. So where the heap in
     * use is known, only what the heap surely holds resident is left out: the committed heap grown since the
     * start (which a JVM commits as it needs it), or else the most heap ever in use, whichever is larger.
     */
    private double memoryFloor(Gauges g) {
        double committed = g.heapCommitted();
        if (!(committed > 0)) {
            return g.memory();
        }
        committedLeftOut = true;
        committedLow = minIgnoringNaN(committedLow, committed);
        if (g.heapUsed() > 0) {
            heapUsedHigh = Math.min(committed, maxIgnoringNaN(heapUsedHigh, g.heapUsed()));
        } else if (!Double.isNaN(heapUsedHigh)) {
            heapUsedHigh = Math.min(committed, heapUsedHigh);
        }
        double resident = Double.isNaN(heapUsedHigh) ? committed
                : Math.min(committed, Math.max(heapUsedHigh, committed - committedLow));
        return g.memory() - resident;
    }

    /**
     * The newest bucket's load: the allocation rate, in bytes a second, from the counter's last reading
     * before the bucket to this one (the mean rate over the bucket, not one noisy scrape's). NaN while
     * there is no earlier reading, or when the counter went back (the runtime restarted in the container:
     * the rate starts again from this reading).
     */
    private double load(long timeMillis, double allocated) {
        if (Double.isNaN(allocated)) {
            return Double.NaN;
        }
        if (!Double.isNaN(lastAllocated) && allocated < lastAllocated) {
            loadFrom = Double.NaN;
        }
        if (Double.isNaN(loadFrom) && !Double.isNaN(lastAllocated) && allocated >= lastAllocated) {
            loadFrom = lastAllocated;
            loadFromMillis = lastAllocatedMillis;
        }
        lastAllocated = allocated;
        lastAllocatedMillis = timeMillis;
        return !Double.isNaN(loadFrom) && timeMillis > loadFromMillis && allocated >= loadFrom
                ? (allocated - loadFrom) * 1000.0 / (timeMillis - loadFromMillis) : Double.NaN;
    }

    /**
     * The highest thread floor (a bucket's fewest threads) among the buckets that have left the
     * series, NaN while none has: how high the pod's own traffic has taken its threads before.
     */
    public double olderThreadsHigh() {
        return olderThreadsHigh;
    }

    /** Copies the buckets that start at or after {@code fromMillis}, oldest first, into {@code out}. */
    public int copyFrom(long fromMillis, Window out) {
        return copyFrom(fromMillis, Long.MIN_VALUE, out);
    }

    /**
     * Copies the buckets that start at or after {@code fromMillis}, oldest first, into {@code out}, with
     * the half-windows before them that start at or after {@code historyFromMillis} (the end of the
     * warm-up: a start-up's threads are not the pod's history).
     */
    public int copyFrom(long fromMillis, long historyFromMillis, Window out) {
        out.ensureCapacity(size);
        int n = 0;
        double older = olderThreadsHigh;
        long olderCount = olderBuckets;
        double olderMemory = Double.NaN;
        for (int k = size - 1; k >= 0; k--) {
            int i = Math.floorMod(newest - k, bucketStart.length);
            long time = (baseBucket + bucketStart[i]) * bucketMillis;
            if (time < fromMillis) {
                older = maxIgnoringNaN(older, threadsMin[i]);
                olderCount++;
                if (time >= historyFromMillis) {
                    olderMemory = maxIgnoringNaN(olderMemory, memoryMax[i]);
                }
                continue;
            }
            out.time[n] = time;
            out.threads[n] = threadsMin[i];
            out.heap[n] = heapMin[i];
            out.memoryFloor[n] = memoryMin[i];
            out.memory[n] = memoryMax[i];
            out.load[n] = load[i];
            out.samples[n] = samples[i];
            n++;
        }
        out.length = n;
        out.olderMemoryHigh = olderMemory;
        out.committedLeftOut = committedLeftOut;
        chunks.copyTo(baseBucket, bucketMillis, historyFromMillis, out);
        oldGen.copyTo(out);
        out.olderThreadsHigh = older;
        out.olderMillis = olderCount * bucketMillis;
        return n;
    }

    /**
     * Whether {@code known} of {@code total} values (buckets with a load, say) are at least four in five
     * of them, and some: enough to average or fit them, where the rest may be missing.
     */
    public static boolean mostlyKnown(int known, int total) {
        return known > 0 && known * 5 >= total * 4;
    }

    /** The smaller of two values where NaN means "no value". */
    public static double minIgnoringNaN(double current, double value) {
        return Double.isNaN(value) ? current : Double.isNaN(current) ? value : Math.min(current, value);
    }

    /** The larger of two values where NaN means "no value". */
    public static double maxIgnoringNaN(double current, double value) {
        return Double.isNaN(value) ? current : Double.isNaN(current) ? value : Math.max(current, value);
    }

    /** A reusable, oldest-first copy of some buckets, handed to the detector. */
    public static final class Window {
        public long[] time = new long[0];
        public double[] threads = new double[0];
        public double[] heap = new double[0];
        /** The peak (maximum) of process memory in each bucket. */
        public double[] memory = new double[0];
        /** The floor (minimum) of process memory in each bucket. */
        public double[] memoryFloor = new double[0];
        /** The load (mean allocation rate, bytes a second) over each bucket; NaN without an allocation counter. */
        public double[] load = new double[0];
        public int[] samples = new int[0];
        public int length;
        /** The highest thread floor before the window's first bucket, NaN when none is known. */
        public double olderThreadsHigh = Double.NaN;
        /**
         * The half-windows before the window (past the warm-up), oldest first: each one's lowest thread
         * floor and its mean load (NaN without one); {@link #chunkCount} of them.
         */
        public double[] chunkThreadsLow = new double[0];
        public double[] chunkLoad = new double[0];
        public int chunkCount;
        /**
         * The highest memory peak before the window's first bucket and past the warm-up (over the chunks kept
         * and the ring), NaN when none is known: how high the pod's own traffic has taken its memory, and lived.
         */
        public double olderMemoryHigh = Double.NaN;
        /** Whether the memory floors leave a committed heap out (a JVM's, bounded by its heap max). */
        public boolean committedLeftOut;
        /** How much history the series holds, or held, before the window's first bucket. */
        public long olderMillis = Long.MAX_VALUE;
        /** A G1 old generation's latest size (NaN without one), the size its run without a shrink started at, and that run's length. */
        public double oldGenLatest = Double.NaN;
        public double oldGenRunFrom = Double.NaN;
        public long oldGenRunMillis;
        /** The run's recent pace, in bytes an hour (over its last 10 to 20 minutes, or all of it if shorter). */
        public double oldGenPacePerHour = Double.NaN;

        void ensureCapacity(int n) {
            if (time.length < n) {
                int grown = Math.max(n, time.length * 2);
                time = Arrays.copyOf(time, grown);
                threads = Arrays.copyOf(threads, grown);
                heap = Arrays.copyOf(heap, grown);
                memory = Arrays.copyOf(memory, grown);
                memoryFloor = Arrays.copyOf(memoryFloor, grown);
                load = Arrays.copyOf(load, grown);
                samples = Arrays.copyOf(samples, grown);
            }
        }

        /** Appends one bucket; used to build windows by hand in tests and backtests. */
        public void append(long timeMillis, double threadsValue, double heapValue, double memoryValue, int sampleCount) {
            ensureCapacity(length + 1);
            time[length] = timeMillis;
            threads[length] = threadsValue;
            heap[length] = heapValue;
            memory[length] = memoryValue;
            memoryFloor[length] = memoryValue;
            load[length] = Double.NaN;
            samples[length] = sampleCount;
            length++;
        }
    }
}
