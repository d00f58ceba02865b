package io.leakguard.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.controller.PodToPolicyMapper;
import io.leakguard.operator.tracking.PodRegistry;
import io.leakguard.operator.tracking.TrackedPod;
import org.junit.jupiter.api.Test;

class PodToPolicyMapperTest {

    private final PodRegistry registry = new PodRegistry();
    private final List<LeakPolicy> shopPolicies = List.of(
            policy("checkout", Map.of("app", "checkout")),
            policy("web", Map.of("tier", "web")),
            policy("billing", Map.of("app", "billing")));
    private final PodToPolicyMapper mapper = new PodToPolicyMapper(
            namespace -> namespace.equals("shop") ? shopPolicies : List.of(), registry);

    @Test
    void podMapsToEveryPolicyWhoseSelectorMatchesIt() {
        assertThat(mapper.toPrimaryResourceIDs(pod("shop", "checkout-1", Map.of("app", "checkout", "tier", "web"))))
                .containsExactlyInAnyOrder(id("checkout"), id("web"));
    }

    @Test
    void relabelledPodAlsoMapsToThePolicyThatWatchedItSoThatPolicyDropsIt() {
        registry.track(id("checkout"), null, List.of(new TrackedPod("shop", "checkout-1", "uid-1", null, "Running", "app", 9090, null, Double.NaN, "uid-1/0/", 0, null)));

        assertThat(mapper.toPrimaryResourceIDs(pod("shop", "checkout-1", Map.of("app", "billing"))))
                .containsExactlyInAnyOrder(id("billing"), id("checkout"));
    }

    @Test
    void podInAnotherNamespaceMapsToNoPolicyOfThisOne() {
        assertThat(mapper.toPrimaryResourceIDs(pod("other", "checkout-1", Map.of("app", "checkout")))).isEmpty();
    }

    @Test
    void unlabelledPodMapsToNothing() {
        assertThat(mapper.toPrimaryResourceIDs(pod("shop", "lonely", null))).isEmpty();
    }

    private static ResourceID id(String name) {
        return new ResourceID(name, "shop");
    }

    private static LeakPolicy policy(String name, Map<String, String> labels) {
        return io.leakguard.operator.testing.Fixtures.goPolicy("shop", name, labels);
    }

    private static Pod pod(String namespace, String name, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels)
                .endMetadata().build();
    }
}
