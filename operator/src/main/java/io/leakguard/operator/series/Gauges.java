package io.leakguard.operator.series;

/**
 * One pod's gauges at one moment; NaN where absent.
 *
 * @param threads live threads or goroutines
 * @param heap the heap gauge whose troughs are the baseline (Go's heap in use, a JVM's live data)
 * @param memory the process memory the kernel counts against the limit
 * @param heapMax a JVM's heap max, its second ceiling
 * @param heapCommitted a JVM's committed heap, which grows towards the heap max without being a leak
 * @param softLimit a Go runtime's soft memory limit (GOMEMLIMIT, {@code go_gc_gomemlimit_bytes}), up to
 *     which its GC lets the heap grow and no further while it can: NaN when unset
 * @param oldGen a G1 JVM's old generation in use ({@code jvm_memory_used_bytes{id="G1 Old Gen"}}): what
 *     survived the young collections, garbage included until a mixed or full collection frees it; NaN
 *     for other collectors and runtimes
 * @param allocated the bytes the runtime has allocated since it started, a counter ({@code
 *     go_memstats_alloc_bytes_total}, Micrometer's {@code jvm_gc_memory_allocated_bytes_total}): its rate
 *     is the pod's load, which in-flight goroutines and threads follow; NaN where absent
 * @param heapUsed a JVM's heap in use, all its pools ({@code jvm_memory_used_bytes{area="heap"}}): its highest
 *     so far is the least of the committed heap the process has touched, and so holds resident; NaN where absent
 */
public record Gauges(double threads, double heap, double memory, double heapMax, double heapCommitted, double softLimit,
        double oldGen, double allocated, double heapUsed) {

    public Gauges(double threads, double heap, double memory, double heapMax, double heapCommitted, double softLimit,
            double oldGen, double allocated) {
        this(threads, heap, memory, heapMax, heapCommitted, softLimit, oldGen, allocated, Double.NaN);
    }

    public Gauges(double threads, double heap, double memory, double heapMax, double heapCommitted, double softLimit,
            double oldGen) {
        this(threads, heap, memory, heapMax, heapCommitted, softLimit, oldGen, Double.NaN);
    }

    /** Go reports an unset GOMEMLIMIT as math.MaxInt64; anything above this is no limit. */
    public static final double NO_SOFT_LIMIT = 0x1p62;

    public Gauges(double threads, double heap, double memory, double heapMax, double heapCommitted) {
        this(threads, heap, memory, heapMax, heapCommitted, Double.NaN, Double.NaN);
    }

    public Gauges(double threads, double heap, double memory, double heapMax, double heapCommitted, double softLimit) {
        this(threads, heap, memory, heapMax, heapCommitted, softLimit, Double.NaN);
    }

    public static Gauges of(double threads, double heap, double memory) {
        return new Gauges(threads, heap, memory, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The soft limit when one is set, else NaN. */
    public double softLimitIfSet() {
        return softLimit > 0 && softLimit < NO_SOFT_LIMIT ? softLimit : Double.NaN;
    }

    /** No gauge that a trend is fitted to: the ceilings alone do not make a sample. */
    public boolean empty() {
        return Double.isNaN(threads) && Double.isNaN(heap) && Double.isNaN(memory);
    }
}
