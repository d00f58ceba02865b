package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** Metric names that replace the runtime's defaults. */
public class MetricNames {

    @Pattern(SchemaPatterns.METRIC_SELECTOR)
    @JsonPropertyDescription("Gauge of live threads or goroutines. Defaults: go_goroutines (Go),"
            + " jvm_threads_live_threads (JVM, Micrometer) or jvm_threads_current (JVM, simpleclient).")
    public String threads;

    @Pattern(SchemaPatterns.METRIC_SELECTOR)
    @JsonPropertyDescription("Gauge whose troughs are the heap baseline. Defaults: go_memstats_heap_inuse_bytes"
            + " (Go), jvm_gc_live_data_size_bytes (JVM, Micrometer) or jvm_memory_bytes_used{area=\"heap\"}"
            + " (JVM, simpleclient).")
    public String heapBaseline;

    @Pattern(SchemaPatterns.METRIC_SELECTOR)
    @JsonPropertyDescription("Gauge of the process memory compared with the container limit."
            + " Defaults: process_resident_memory_bytes, or else (Prometheus source) cAdvisor's"
            + " container_memory_working_set_bytes of the container serving the metrics.")
    public String memory;

    @Pattern(SchemaPatterns.METRIC_SELECTOR)
    @JsonPropertyDescription("Gauge of the heap max, a JVM's second ceiling: live heap near it means"
            + " OutOfMemoryError. Defaults (JVM): jvm_gc_max_data_size_bytes (Micrometer),"
            + " jvm_memory_max_bytes{area=\"heap\"} or jvm_memory_bytes_max{area=\"heap\"} (pools reporting -1 are"
            + " skipped). Go has none: GOMEMLIMIT is a soft limit, not a death.")
    public String heapMax;

    @Pattern(SchemaPatterns.METRIC_SELECTOR)
    @JsonPropertyDescription("Gauge of the committed heap, left out of the memory floor's trend: a JVM commits"
            + " its heap as it grows towards the heap max, which is bounded and not a leak. Defaults (JVM):"
            + " jvm_memory_committed_bytes{area=\"heap\"} (Micrometer) or jvm_memory_bytes_committed{area=\"heap\"}"
            + " (simpleclient).")
    public String heapCommitted;

    @Pattern(SchemaPatterns.METRIC_SELECTOR)
    @JsonPropertyDescription("Counter of the bytes the runtime has allocated: its rate is the pod's load, which"
            + " in-flight goroutines and request threads follow, so threads that rise more than the load can"
            + " explain count as a leak whatever their pace, and threads the load's rise carries do not count"
            + " against maxThreadGrowthPerHour. Defaults: go_memstats_alloc_bytes_total or"
            + " go_gc_heap_allocs_bytes_total (Go), jvm_gc_memory_allocated_bytes_total (JVM, Micrometer) or"
            + " jvm_memory_pool_allocated_bytes_total (JVM, simpleclient). Without it, threads are judged on"
            + " their own.")
    public String allocated;
}
