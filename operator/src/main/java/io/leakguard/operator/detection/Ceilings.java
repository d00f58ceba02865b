package io.leakguard.operator.detection;

/**
 * What a pod can die at: the container's memory limit, where the kernel's OOM killer strikes, and a
 * JVM's heap max, where it throws {@code OutOfMemoryError}. NaN (or not positive) where there is none.
 */
public record Ceilings(double memoryLimitBytes, double heapMaxBytes) {

    /** The share of the heap max at which a JVM's live data means death: a GC spiral, then OutOfMemoryError. */
    public static final double HEAP_MAX_SHARE = 0.95;

    public static Ceilings memoryLimit(double bytes) {
        return new Ceilings(bytes, Double.NaN);
    }

    public boolean hasMemoryLimit() {
        return memoryLimitBytes > 0 && !Double.isInfinite(memoryLimitBytes);
    }

    public boolean hasHeapMax() {
        return heapMaxBytes > 0 && !Double.isInfinite(heapMaxBytes);
    }
}
