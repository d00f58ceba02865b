package io.leakguard.operator.detection;

/**
 * What a pod can die at: the container's memory limit, where the kernel's OOM killer strikes, and a
 * JVM's heap max, where it throws {@code OutOfMemoryError}. NaN (or not positive) where there is none.
 * And a Go runtime's soft limit (GOMEMLIMIT), not a ceiling but where its GC holds the heap's peaks.
 */
public record Ceilings(double memoryLimitBytes, double heapMaxBytes, double softLimitBytes) {

    public Ceilings(double memoryLimitBytes, double heapMaxBytes) {
        this(memoryLimitBytes, heapMaxBytes, Double.NaN);
    }

    /** The share of the heap max at which a JVM's live data means death: a GC spiral, then OutOfMemoryError. */
    public static final double HEAP_MAX_SHARE = 0.95;

    public static Ceilings memoryLimit(double bytes) {
        return new Ceilings(bytes, Double.NaN, Double.NaN);
    }

    public boolean hasMemoryLimit() {
        return memoryLimitBytes > 0 && !Double.isInfinite(memoryLimitBytes);
    }

    /**
     * A soft limit below the memory limit: the GC holds the peaks at it, so only the floor (what the GC
     * cannot free) can carry the pod to the kernel's limit.
     */
    public boolean holdsPeaks() {
        return softLimitBytes > 0 && hasMemoryLimit() && softLimitBytes < memoryLimitBytes;
    }

    public boolean hasHeapMax() {
        return heapMaxBytes > 0 && !Double.isInfinite(heapMaxBytes);
    }
}
