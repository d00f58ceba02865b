package io.leakguard.operator.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.leakguard.operator.exposition.Sample;
import io.leakguard.operator.spec.MetricSelector;
import org.junit.jupiter.api.Test;

/** Which samples make a gauge's value: pools add up, the same series from two targets counts once. */
class MetricSelectorTest {

    private static final double MIB = 1024 * 1024;

    @Test
    void theSameSeriesScrapedByTwoJobsIsCountedOnceSoTheHeapDoesNotDouble() {
        List<Sample> samples = List.of(
                new Sample("go_memstats_heap_inuse_bytes", Map.of("job", "pods", "instance", "10.0.0.5:9090", "pod", "api-1"), 100 * MIB),
                new Sample("go_memstats_heap_inuse_bytes", Map.of("job", "sidecar", "instance", "10.0.0.5:9091", "pod", "api-1"), 100 * MIB));
        assertThat(MetricSelector.parse("go_memstats_heap_inuse_bytes").sum(samples)).isEqualTo(100 * MIB);
    }

    @Test
    void distinctMemoryPoolsStillAddUp() {
        List<Sample> samples = List.of(
                new Sample("jvm_memory_used_bytes", Map.of("area", "heap", "id", "G1 Eden Space", "job", "a"), 10 * MIB),
                new Sample("jvm_memory_used_bytes", Map.of("area", "heap", "id", "G1 Old Gen", "job", "a"), 30 * MIB),
                new Sample("jvm_memory_used_bytes", Map.of("area", "heap", "id", "G1 Old Gen", "job", "b"), 30 * MIB),
                new Sample("jvm_memory_used_bytes", Map.of("area", "nonheap", "id", "Metaspace", "job", "a"), 50 * MIB));
        assertThat(MetricSelector.parse("jvm_memory_used_bytes{area=\"heap\"}").sum(samples)).isEqualTo(40 * MIB);
    }

    @Test
    void poolsWithoutAMaxDoNotLowerIt() {
        List<Sample> samples = List.of(
                new Sample("jvm_memory_max_bytes", Map.of("area", "heap", "id", "G1 Eden Space"), -1),
                new Sample("jvm_memory_max_bytes", Map.of("area", "heap", "id", "G1 Old Gen"), 512 * MIB));
        assertThat(MetricSelector.parse("jvm_memory_max_bytes{area=\"heap\"}").sumNonNegative(samples)).isEqualTo(512 * MIB);
        assertThat(MetricSelector.parse("go_goroutines").sum(samples)).isNaN();
    }

    @Test
    void aContainersWorkingSetLeavesOutThePodsOwnCgroupAndItsSandbox() {
        List<Sample> samples = List.of(
                new Sample("container_memory_working_set_bytes", Map.of("pod", "api-1", "id", "/kubepods/pod1"), 260 * MIB),
                new Sample("container_memory_working_set_bytes",
                        Map.of("pod", "api-1", "container", "POD", "id", "/kubepods/pod1/pause"), 1 * MIB),
                new Sample("container_memory_working_set_bytes",
                        Map.of("pod", "api-1", "container", "app", "id", "/kubepods/pod1/app"), 200 * MIB),
                new Sample("container_memory_working_set_bytes",
                        Map.of("pod", "api-1", "container", "proxy", "id", "/kubepods/pod1/proxy"), 59 * MIB));
        MetricSelector containers = MetricSelector.parse("container_memory_working_set_bytes{container!=\"\",container!=\"POD\"}");
        assertThat(containers.sum(samples)).isEqualTo(259 * MIB);
        assertThat(containers.and("container", "app").sum(samples)).isEqualTo(200 * MIB);
        assertThat(containers.toString()).isEqualTo("container_memory_working_set_bytes{container!=\"\",container!=\"POD\"}");
        assertThat(MetricSelector.parse(containers.toString())).isEqualTo(containers);
    }
}
