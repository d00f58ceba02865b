package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.exposition.Sample;
import io.leakguard.operator.series.Gauges;
import org.junit.jupiter.api.Test;

/**
 * A JVM's heap as Micrometer exports it, one series per memory pool: the committed heap and the heap in use are
 * each the sum of the heap pools (the resident heap lies between the two), the old generation G1's alone.
 */
class JvmHeapGaugesTest {

    private static final double MIB = 1024 * 1024;

    private static Sample pool(String name, String area, String id, double mib) {
        return new Sample(name, Map.of("area", area, "id", id), mib * MIB);
    }

    @Test
    void theHeapInUseAndTheCommittedHeapAreEachTheSumOfTheHeapPools() {
        List<Sample> samples = List.of(
                pool("jvm_memory_used_bytes", "heap", "G1 Eden Space", 40),
                pool("jvm_memory_used_bytes", "heap", "G1 Old Gen", 100),
                pool("jvm_memory_used_bytes", "heap", "G1 Survivor Space", 4),
                pool("jvm_memory_used_bytes", "nonheap", "Metaspace", 60),
                pool("jvm_memory_committed_bytes", "heap", "G1 Eden Space", 150),
                pool("jvm_memory_committed_bytes", "heap", "G1 Old Gen", 102),
                pool("jvm_memory_committed_bytes", "heap", "G1 Survivor Space", 4),
                pool("jvm_memory_committed_bytes", "nonheap", "Metaspace", 61));
        Gauges g = RuntimeProfile.of(Runtime.JVM, null).read(samples);
        assertThat(g.heapUsed()).isEqualTo(144 * MIB);
        assertThat(g.heapCommitted()).isEqualTo(256 * MIB);
        assertThat(g.oldGen()).isEqualTo(100 * MIB);
    }

    @Test
    void aGoServiceHasNoHeapInUseGauge() {
        Gauges g = RuntimeProfile.of(Runtime.Go, null).read(List.of(
                new Sample("go_memstats_heap_inuse_bytes", Map.of(), 30 * MIB),
                new Sample("jvm_memory_used_bytes", Map.of("area", "heap"), 30 * MIB)));
        assertThat(g.heapUsed()).isNaN();
    }
}
