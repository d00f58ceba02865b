package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.exposition.Sample;
import org.junit.jupiter.api.Test;

/**
 * The memory judged against the container's limit: the process's resident set, or else, for a service that
 * exports none (a Micrometer-instrumented JVM read through Prometheus), cAdvisor's working set of the container
 * serving the metrics.
 */
class ContainerMemoryTest {

    private static final double MIB = 1024 * 1024;

    private static Sample workingSet(String container, double mib) {
        // cAdvisor names each cgroup's series by its path (id) as well.
        return new Sample("container_memory_working_set_bytes", container == null
                ? Map.of("pod", "billing-1", "id", "/kubepods/pod9")
                : Map.of("pod", "billing-1", "container", container, "id", "/kubepods/pod9/" + container), mib * MIB);
    }

    private static final List<Sample> CADVISOR = List.of(workingSet(null, 330), workingSet("POD", 1),
            workingSet("app", 280), workingSet("proxy", 49),
            new Sample("jvm_threads_live_threads", Map.of("pod", "billing-1", "container", "app"), 72));

    @Test
    void aJvmWithoutAResidentSetGaugeIsJudgedOnItsContainersWorkingSet() {
        RuntimeProfile jvm = RuntimeProfile.of(Runtime.JVM, null);
        assertThat(jvm.read(CADVISOR, "app").memory()).isEqualTo(280 * MIB);
        assertThat(jvm.read(CADVISOR, "app").threads()).isEqualTo(72);
    }

    @Test
    void aSidecarsMemoryIsNotCountedAsTheApplicationsWhenTheServingContainerIsKnown() {
        RuntimeProfile go = RuntimeProfile.of(Runtime.Go, null);
        assertThat(go.read(CADVISOR, "proxy").memory()).isEqualTo(49 * MIB);
        // Not knowing the container, the pod's containers add up, but never its own cgroup or its sandbox again.
        assertThat(go.read(CADVISOR, null).memory()).isEqualTo(329 * MIB);
    }

    @Test
    void theProcessesOwnResidentSetComesFirst() {
        List<Sample> both = new java.util.ArrayList<>(CADVISOR);
        both.add(new Sample("process_resident_memory_bytes", Map.of("pod", "billing-1", "container", "app"), 250 * MIB));
        assertThat(RuntimeProfile.of(Runtime.JVM, null).read(both, "app").memory()).isEqualTo(250 * MIB);
    }
}
