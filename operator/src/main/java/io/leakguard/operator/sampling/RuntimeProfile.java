package io.leakguard.operator.sampling;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.leakguard.api.v1alpha1.MetricNames;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.exposition.Sample;
import io.leakguard.operator.exposition.WantedNames;
import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.spec.MetricSelector;

/**
 * Which gauges to read for a runtime. Each gauge has candidates tried in order, so one JVM policy
 * covers services instrumented with Micrometer and with the older simpleclient; a policy's
 * {@code metrics.names} replaces the candidates. The heap max is a JVM's second ceiling: its live
 * heap nearing it means OutOfMemoryError, usually long before the container's limit.
 */
public record RuntimeProfile(List<MetricSelector> threads, List<MetricSelector> heapBaseline,
        List<MetricSelector> memory, List<MetricSelector> heapMax, List<MetricSelector> heapCommitted,
        List<MetricSelector> softLimit, List<MetricSelector> oldGen, List<MetricSelector> allocated,
        List<MetricSelector> heapUsed, WantedNames wanted) {

    /**
     * The memory the kernel counts: the process's resident set, or else cAdvisor's working set of the
     * container (what the kubelet and the OOM killer judge), which a Prometheus holds for every pod though
     * a Micrometer-instrumented JVM exports no resident set of its own. The pod's own cgroup
     * ({@code container=""}) and its sandbox ({@code container="POD"}) are left out; {@link #read(List, String)}
     * narrows it to the container that serves the metrics.
     */
    public static final MetricSelector CONTAINER_WORKING_SET =
            MetricSelector.parse("container_memory_working_set_bytes{container!=\"\",container!=\"POD\"}");
    private static final List<MetricSelector> PROCESS_MEMORY = List.of(
            MetricSelector.parse("process_resident_memory_bytes"), CONTAINER_WORKING_SET);

    public static RuntimeProfile of(Runtime runtime, MetricNames names) {
        List<MetricSelector> threads;
        List<MetricSelector> heap;
        List<MetricSelector> heapMax = List.of();
        List<MetricSelector> heapCommitted = List.of();
        List<MetricSelector> softLimit = List.of();
        List<MetricSelector> oldGen = List.of();
        List<MetricSelector> allocated = List.of();
        List<MetricSelector> heapUsed = List.of();
        switch (runtime == null ? Runtime.Custom : runtime) {
            case Go -> {
                threads = List.of(MetricSelector.parse("go_goroutines"));
                heap = List.of(MetricSelector.parse("go_memstats_heap_inuse_bytes"));
                // GOMEMLIMIT, in client_golang's default Go collector since Go 1.21.
                softLimit = List.of(MetricSelector.parse("go_gc_gomemlimit_bytes"));
                // The bytes allocated, whose rate is the load: the default Go collector's, or runtime/metrics'.
                allocated = List.of(MetricSelector.parse("go_memstats_alloc_bytes_total"),
                        MetricSelector.parse("go_gc_heap_allocs_bytes_total"));
            }
            case JVM -> {
                threads = List.of(MetricSelector.parse("jvm_threads_live_threads"),
                        MetricSelector.parse("jvm_threads_current"));
                heap = List.of(MetricSelector.parse("jvm_gc_live_data_size_bytes"),
                        MetricSelector.parse("jvm_memory_used_bytes{area=\"heap\"}"),
                        MetricSelector.parse("jvm_memory_bytes_used{area=\"heap\"}"));
                heapMax = List.of(MetricSelector.parse("jvm_gc_max_data_size_bytes"),
                        MetricSelector.parse("jvm_memory_max_bytes{area=\"heap\"}"),
                        MetricSelector.parse("jvm_memory_bytes_max{area=\"heap\"}"));
                heapCommitted = List.of(MetricSelector.parse("jvm_memory_committed_bytes{area=\"heap\"}"),
                        MetricSelector.parse("jvm_memory_bytes_committed{area=\"heap\"}"));
                // G1's old generation (Micrometer; the simpleclient's hotspot exporter): under G1 the live-data
                // gauge moves only when a collection shrinks the old generation, which a leak never lets it do.
                oldGen = List.of(MetricSelector.parse("jvm_memory_used_bytes{id=\"G1 Old Gen\"}"),
                        MetricSelector.parse("jvm_memory_pool_bytes_used{pool=\"G1 Old Gen\"}"));
                // The bytes allocated, whose rate is the load: Micrometer's, or the simpleclient's per pool.
                allocated = List.of(MetricSelector.parse("jvm_gc_memory_allocated_bytes_total"),
                        MetricSelector.parse("jvm_memory_pool_allocated_bytes_total"));
                // The heap in use, all pools: how much of the committed heap the process has touched, at least.
                heapUsed = List.of(MetricSelector.parse("jvm_memory_used_bytes{area=\"heap\"}"),
                        MetricSelector.parse("jvm_memory_bytes_used{area=\"heap\"}"));
            }
            default -> {
                threads = List.of();
                heap = List.of();
            }
        }
        List<MetricSelector> memory = PROCESS_MEMORY;
        if (names != null) {
            threads = names.threads == null ? threads : List.of(MetricSelector.parse(names.threads));
            heap = names.heapBaseline == null ? heap : List.of(MetricSelector.parse(names.heapBaseline));
            memory = names.memory == null ? memory : List.of(MetricSelector.parse(names.memory));
            heapMax = names.heapMax == null ? heapMax : List.of(MetricSelector.parse(names.heapMax));
            heapCommitted = names.heapCommitted == null ? heapCommitted : List.of(MetricSelector.parse(names.heapCommitted));
            allocated = names.allocated == null ? allocated : List.of(MetricSelector.parse(names.allocated));
        }
        return new RuntimeProfile(threads, heap, memory, heapMax, heapCommitted, softLimit, oldGen, allocated, heapUsed,
                WantedNames.of(namesOf(List.of(threads, heap, memory, heapMax, heapCommitted, softLimit, oldGen, allocated,
                        heapUsed))));
    }

    /** Each gauge's candidates, in the order of {@link Gauges}'s components. */
    public List<List<MetricSelector>> roles() {
        return List.of(threads, heapBaseline, memory, heapMax, heapCommitted, softLimit, oldGen, allocated, heapUsed);
    }

    /** Every metric name this profile may read, so that the parser skips the rest. */
    public Set<String> metricNames() {
        return namesOf(roles());
    }

    private static Set<String> namesOf(List<List<MetricSelector>> roles) {
        Set<String> names = new HashSet<>();
        roles.stream().flatMap(List::stream).forEach(s -> names.add(s.name()));
        return names;
    }

    /** The same names, matched in place by the parser. */
    public WantedNames parserNames() {
        return wanted;
    }

    /** Reads the gauges from parsed samples; a gauge that is absent is NaN. */
    public Gauges read(List<Sample> samples) {
        return read(samples, null);
    }

    /**
     * Reads the gauges from parsed samples, the container's working set only from {@code container} (the one
     * serving the metrics, whose limit the memory is judged against) when it is known: a sidecar's memory is
     * not the application's.
     */
    public Gauges read(List<Sample> samples, String container) {
        List<MetricSelector> memory = container == null || !this.memory.contains(CONTAINER_WORKING_SET) ? this.memory
                : this.memory.stream().map(m -> m.equals(CONTAINER_WORKING_SET) ? m.and("container", container) : m)
                        .toList();
        return new Gauges(first(threads, samples, false), first(heapBaseline, samples, false),
                first(memory, samples, false), first(heapMax, samples, true), first(heapCommitted, samples, true),
                first(softLimit, samples, true), first(oldGen, samples, true), first(allocated, samples, true),
                first(heapUsed, samples, true));
    }

    /** The first candidate present; with {@code nonNegative}, pools reporting -1 are left out of its sum. */
    private static double first(List<MetricSelector> candidates, List<Sample> samples, boolean nonNegative) {
        for (MetricSelector candidate : candidates) {
            double value = nonNegative ? candidate.sumNonNegative(samples) : candidate.sum(samples);
            if (!Double.isNaN(value)) {
                return value;
            }
        }
        return Double.NaN;
    }

    /** The gauges it looks for, for error messages. */
    public String describe() {
        return "threads " + threads + ", heap " + heapBaseline + ", memory " + memory
                + (heapMax.isEmpty() ? "" : ", heap max " + heapMax);
    }
}
