package io.leakguard.operator.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class PodTrimTest {

    private static Pod bloated() {
        return new PodBuilder()
                .withNewMetadata().withName("checkout-1").withNamespace("shop").withUid("u-1").withResourceVersion("7")
                .addToLabels("app", "checkout")
                .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "x".repeat(200_000))
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Apply").build())
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("checkout-7c9f")
                .withUid("rs").withController(true).endOwnerReference()
                .withCreationTimestamp("2026-11-29T10:00:00Z")
                .endMetadata()
                .withNewSpec()
                .addNewContainer().withName("app").withImage("shop/checkout:1")
                .addNewPort().withName("metrics").withContainerPort(9090).endPort()
                .withNewResources().addToLimits("memory", new Quantity("160Mi")).endResources()
                .addNewEnv().withName("BIG").withValue("y".repeat(100_000)).endEnv()
                .withCommand("/bin/checkout").endContainer()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0.5").withHostIP("192.168.1.9").withQosClass("Burstable")
                .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime("2026-11-29T10:00:01Z")
                .endCondition()
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime("2026-11-29T10:01:05Z")
                .endCondition()
                .addNewContainerStatus().withName("app").withRestartCount(2).withContainerID("containerd://abc")
                .withImage("shop/checkout:1").withImageID("sha256:" + "f".repeat(64)).withReady(true)
                .withNewState().withNewRunning().withStartedAt("2026-11-29T10:01:00Z").endRunning().endState()
                .endContainerStatus().endStatus()
                .build();
    }

    @Test
    void theCachedPodDropsWhatATeamCanMakeHugeAndKeepsWhatTrackingReads() {
        Pod pod = bloated();

        Pod trimmed = PodTrim.trim(pod);

        assertThat(Serialization.asJson(trimmed).length()).isLessThan(2_000);
        assertThat(Serialization.asJson(pod).length()).isGreaterThan(300_000);
        assertThat(TrackedPod.of(trimmed, new IntOrString("metrics"))).isEqualTo(TrackedPod.of(pod, new IntOrString("metrics")));
        assertThat(TrackedPod.workloadOf(trimmed)).isEqualTo("ReplicaSet/checkout-7c9f");
        assertThat(trimmed.getMetadata().getLabels()).containsEntry("app", "checkout");
        assertThat(trimmed.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(trimmed.getStatus().getConditions()).singleElement()
                .satisfies(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
        assertThat(trimmed.getStatus().getContainerStatuses()).singleElement()
                .satisfies(c -> assertThat(c.getImageID()).isNull());
        assertThat(trimmed.getSpec().getContainers().get(0).getResources().getLimits()).containsKey("memory");
        assertThat(Serialization.unmarshal(Serialization.asJson(trimmed), Pod.class)).as("what the cache keeps reads back the same")
                .isEqualTo(trimmed);
    }

    @Test
    void aPodOnTheHostNetworkIsNotScrapedAtItsNodesAddress() {
        Pod pod = new PodBuilder(bloated()).editSpec().withHostNetwork(true).endSpec().build();

        TrackedPod tracked = TrackedPod.of(PodTrim.trim(pod), new IntOrString("metrics"));

        assertThat(tracked.targetProblem()).contains("host network");
    }
}
