package io.leakguard.operator.evaluation;

import io.leakguard.operator.series.Gauges;

/**
 * One labelled pod history: samples at a fixed interval (NaN where a scrape was missed), the
 * ceilings, and the truth: when the pod dies (in seconds from its start; NaN if it lives to the end)
 * and of what ({@code OOMKilled} by the kernel, or the JVM's {@code OutOfMemoryError}).
 *
 * @param heapCommitted the JVM's committed heap ({@code jvm_memory_committed_bytes{area="heap"}}), null for Go
 * @param heapMaxBytes the JVM's heap max ({@code jvm_gc_max_data_size_bytes}), NaN for Go
 * @param softLimitBytes Go's GOMEMLIMIT ({@code go_gc_gomemlimit_bytes}), NaN when unset
 * @param oldGen a G1 JVM's old generation in use, null when not recorded
 * @param allocated the bytes allocated since the pod started (a counter, its rate the load), null when not recorded
 * @param heapUsed a JVM's heap in use, all pools ({@code jvm_memory_used_bytes{area="heap"}}), null when not recorded
 */
public record Trace(String name, String scenario, String runtime, boolean leaking, boolean goroutineOnly,
        long intervalSeconds, double[] threads, double[] heap, double[] memory, double[] heapCommitted,
        double memoryLimitBytes,
        double heapMaxBytes, double softLimitBytes, double oomAtSeconds, String death, double leakStartSeconds,
        double[] oldGen, double[] allocated, double[] heapUsed) {

    public Trace(String name, String scenario, String runtime, boolean leaking, boolean goroutineOnly,
            long intervalSeconds, double[] threads, double[] heap, double[] memory, double[] heapCommitted,
            double memoryLimitBytes, double heapMaxBytes, double softLimitBytes, double oomAtSeconds, String death,
            double leakStartSeconds) {
        this(name, scenario, runtime, leaking, goroutineOnly, intervalSeconds, threads, heap, memory, heapCommitted,
                memoryLimitBytes, heapMaxBytes, softLimitBytes, oomAtSeconds, death, leakStartSeconds, null, null);
    }

    public Trace(String name, String scenario, String runtime, boolean leaking, boolean goroutineOnly,
            long intervalSeconds, double[] threads, double[] heap, double[] memory, double[] heapCommitted,
            double memoryLimitBytes, double heapMaxBytes, double softLimitBytes, double oomAtSeconds, String death,
            double leakStartSeconds, double[] oldGen, double[] allocated) {
        this(name, scenario, runtime, leaking, goroutineOnly, intervalSeconds, threads, heap, memory, heapCommitted,
                memoryLimitBytes, heapMaxBytes, softLimitBytes, oomAtSeconds, death, leakStartSeconds, oldGen, allocated,
                null);
    }

    /** This trace without its allocation counter: as a pod whose exporter does not give one. */
    public Trace withoutLoad() {
        return new Trace(name, scenario, runtime, leaking, goroutineOnly, intervalSeconds, threads, heap, memory,
                heapCommitted, memoryLimitBytes, heapMaxBytes, softLimitBytes, oomAtSeconds, death, leakStartSeconds,
                oldGen, null, heapUsed);
    }

    public static final String OOM_KILLED = "OOMKilled";
    public static final String OUT_OF_MEMORY_ERROR = "OutOfMemoryError";

    /** The gauges of sample {@code i}. */
    public Gauges gauges(int i) {
        return new Gauges(threads[i], heap[i], memory[i], heapMaxBytes,
                heapCommitted == null ? Double.NaN : heapCommitted[i], softLimitBytes,
                oldGen == null ? Double.NaN : oldGen[i], allocated == null ? Double.NaN : allocated[i],
                heapUsed == null ? Double.NaN : heapUsed[i]);
    }

    public int length() {
        return heap.length;
    }

    public long timeSeconds(int i) {
        return i * intervalSeconds;
    }

    public boolean jvm() {
        return "JVM".equals(runtime);
    }
}
