package io.leakguard.operator.series;

/**
 * One pod's gauges at one moment; NaN where absent.
 *
 * @param threads live threads or goroutines
 * @param heap the heap gauge whose troughs are the baseline (Go's heap in use, a JVM's live data)
 * @param memory the process memory the kernel counts against the limit
 * @param heapMax a JVM's heap max, its second ceiling
 * @param heapCommitted a JVM's committed heap, which grows towards the heap max without being a leak
 */
public record Gauges(double threads, double heap, double memory, double heapMax, double heapCommitted) {

    public static Gauges of(double threads, double heap, double memory) {
        return new Gauges(threads, heap, memory, Double.NaN, Double.NaN);
    }

    /** No gauge that a trend is fitted to: the ceilings alone do not make a sample. */
    public boolean empty() {
        return Double.isNaN(threads) && Double.isNaN(heap) && Double.isNaN(memory);
    }

    /** The memory's floor for its trend: without the committed heap, which is bounded by the heap max. */
    public double memoryFloor() {
        return heapCommitted > 0 ? memory - heapCommitted : memory;
    }
}
