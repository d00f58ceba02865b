package io.leakguard.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.MetricsSource;
import io.leakguard.operator.tracking.PodRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reconciler against the fabric8 mock API server (CRUD): what kubectl get leakpolicies would show. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class LeakPolicyReconcilerTest {

    private static final String NS = "shop";

    @Inject
    KubernetesClient client;

    @Inject
    PodRegistry registry;

    @AfterEach
    void cleanUp() {
        // Deletion goes through the operator's finalizer: wait until the policies are really gone.
        io.leakguard.operator.testing.PolicyCleanup.deleteAll(client, registry, NS);
        client.pods().inNamespace(NS).delete();
        eventually().until(() -> registry.policies().isEmpty());
    }

    @Test
    void statusCountsThePodsTheSelectorMatches() {
        createPod("checkout-1", Map.of("app", "checkout"));
        createPod("checkout-2", Map.of("app", "checkout"));
        createPod("billing-1", Map.of("app", "billing"));
        createPolicy("checkout", Map.of("app", "checkout"));

        eventually().untilAsserted(() -> {
            LeakPolicy policy = fetch("checkout");
            assertThat(policy.getStatus().pods.matched).isEqualTo(2);
            assertThat(readyCondition(policy)).isEqualTo("True/Watching");
            assertThat(policy.getStatus().observedGeneration).isEqualTo(policy.getMetadata().getGeneration());
        });
    }

    @Test
    void relabellingAPodMovesItBetweenPolicies() {
        createPod("web-1", Map.of("app", "checkout"));
        createPolicy("checkout", Map.of("app", "checkout"));
        createPolicy("billing", Map.of("app", "billing"));
        eventually().untilAsserted(() -> {
            assertThat(fetch("checkout").getStatus().pods.matched).isEqualTo(1);
            assertThat(fetch("billing").getStatus().pods.matched).isZero();
        });

        client.pods().inNamespace(NS).withName("web-1")
                .edit(pod -> new PodBuilder(pod).editMetadata().addToLabels("app", "billing").endMetadata().build());

        eventually().untilAsserted(() -> {
            assertThat(fetch("checkout").getStatus().pods.matched).isZero();
            assertThat(fetch("billing").getStatus().pods.matched).isEqualTo(1);
            assertThat(registry.podsOf(id("billing"))).extracting(p -> p.name()).containsExactly("web-1");
            assertThat(registry.podsOf(id("checkout"))).isEmpty();
        });
    }

    @Test
    void deletedPodIsDroppedFromCountAndRegistry() {
        createPod("checkout-1", Map.of("app", "checkout"));
        createPod("checkout-2", Map.of("app", "checkout"));
        createPolicy("checkout", Map.of("app", "checkout"));
        eventually().untilAsserted(() -> assertThat(fetch("checkout").getStatus().pods.matched).isEqualTo(2));

        client.pods().inNamespace(NS).withName("checkout-2").delete();

        eventually().untilAsserted(() -> {
            assertThat(fetch("checkout").getStatus().pods.matched).isEqualTo(1);
            assertThat(registry.podsOf(id("checkout"))).extracting(p -> p.name()).containsExactly("checkout-1");
        });
    }

    @Test
    void deletedPolicyIsForgotten() {
        createPod("checkout-1", Map.of("app", "checkout"));
        createPolicy("checkout", Map.of("app", "checkout"));
        eventually().until(() -> registry.podsOf(id("checkout")).size() == 1);

        client.resources(LeakPolicy.class).inNamespace(NS).withName("checkout").delete();

        eventually().untilAsserted(() -> assertThat(registry.policies()).doesNotContain(id("checkout")));
        assertThat(registry.trackedPodCount()).isZero();
    }

    @Test
    void invalidPolicyIsNotReadyAndSaysWhatIsWrong() {
        createPod("checkout-1", Map.of("app", "checkout"));
        LeakPolicy policy = policy("checkout", Map.of("app", "checkout"));
        policy.getSpec().metrics.source = MetricsSource.Prometheus;
        client.resource(policy).create();

        eventually().untilAsserted(() -> {
            LeakPolicy seen = fetch("checkout");
            assertThat(readyCondition(seen)).isEqualTo("False/InvalidSpec");
            assertThat(condition(seen).getMessage())
                    .contains("spec.metrics.prometheus.url is required when spec.metrics.source is Prometheus");
            assertThat(seen.getStatus().pods.matched).isZero();
        });
        assertThat(registry.podsOf(id("checkout"))).as("an invalid policy watches no pod").isEmpty();
    }

    @Test
    void fixingAnInvalidPolicyMakesItReady() {
        createPod("checkout-1", Map.of("app", "checkout"));
        LeakPolicy policy = policy("checkout", Map.of("app", "checkout"));
        policy.getSpec().detection.window = "10m";
        policy.getSpec().detection.minSamples = 100;
        client.resource(policy).create();
        eventually().untilAsserted(() -> assertThat(condition(fetch("checkout")).getMessage())
                .contains("spec.detection.minSamples"));

        client.resources(LeakPolicy.class).inNamespace(NS).withName("checkout")
                .edit(p -> {
                    p.getSpec().detection.minSamples = 20;
                    return p;
                });

        eventually().untilAsserted(() -> {
            assertThat(readyCondition(fetch("checkout"))).isEqualTo("True/Watching");
            assertThat(fetch("checkout").getStatus().pods.matched).isEqualTo(1);
        });
    }

    @Test
    void overlappingPoliciesEachCountTheSharedPod() {
        createPod("checkout-1", Map.of("app", "checkout", "tier", "web"));
        createPod("checkout-2", Map.of("app", "checkout", "tier", "worker"));
        createPod("search-1", Map.of("app", "search", "tier", "web"));
        createPolicy("checkout", Map.of("app", "checkout"));
        createPolicy("web", Map.of("tier", "web"));

        eventually().untilAsserted(() -> {
            assertThat(fetch("checkout").getStatus().pods.matched).isEqualTo(2);
            assertThat(fetch("web").getStatus().pods.matched).isEqualTo(2);
            assertThat(registry.trackedPodCount()).isEqualTo(3);
        });
    }

    @Test
    void podsInAnotherNamespaceAreNotCounted() {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("other").endMetadata().build()).createOr(existing -> existing.update());
        client.pods().inNamespace("other").resource(pod("checkout-x", Map.of("app", "checkout"))).create();
        createPod("checkout-1", Map.of("app", "checkout"));
        createPolicy("checkout", Map.of("app", "checkout"));

        eventually().untilAsserted(() -> assertThat(fetch("checkout").getStatus().pods.matched).isEqualTo(1));
        client.pods().inNamespace("other").delete();
    }

    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100));
    }

    private ResourceID id(String policy) {
        return new ResourceID(policy, NS);
    }

    private LeakPolicy fetch(String name) {
        LeakPolicy policy = client.resources(LeakPolicy.class).inNamespace(NS).withName(name).get();
        assertThat(policy).as("policy %s", name).isNotNull();
        assertThat(policy.getStatus()).as("status of %s", name).isNotNull();
        return policy;
    }

    private static io.fabric8.kubernetes.api.model.Condition condition(LeakPolicy policy) {
        return policy.getStatus().conditions.stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElseThrow(() -> new AssertionError("no Ready condition on " + policy.getMetadata().getName()));
    }

    private static String readyCondition(LeakPolicy policy) {
        var ready = condition(policy);
        return ready.getStatus() + "/" + ready.getReason();
    }

    private void createPolicy(String name, Map<String, String> labels) {
        client.resource(policy(name, labels)).create();
    }

    private static LeakPolicy policy(String name, Map<String, String> labels) {
        return io.leakguard.operator.testing.Fixtures.goPolicy(NS, name, labels);
    }

    private void createPod(String name, Map<String, String> labels) {
        client.pods().inNamespace(NS).resource(pod(name, labels)).create();
    }

    private static Pod pod(String name, Map<String, String> labels) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0.1").endStatus()
                .build();
    }
}
