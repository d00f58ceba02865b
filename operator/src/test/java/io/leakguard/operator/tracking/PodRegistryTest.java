package io.leakguard.operator.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.operator.spec.Policy;
import org.junit.jupiter.api.Test;

class PodRegistryTest {

    private static TrackedPod pod(String name) {
        return new TrackedPod("team-a", name, name + "-uid", "10.0.0.1", "Running", "app", 8080, null, 1e9,
                name + "-uid/0", 0, "Deployment/app");
    }

    @Test
    void aPolicyDeletedWithoutItsCleanupStopsBeingWatched() {
        PodRegistry registry = new PodRegistry();
        ResourceID kept = new ResourceID("kept", "team-a");
        ResourceID ghost = new ResourceID("ghost", "team-a");
        registry.track(kept, Policy.of(new LeakPolicySpec()), List.of(pod("a-1")));
        registry.track(ghost, Policy.of(new LeakPolicySpec()), List.of(pod("b-1")));

        registry.presentWhen(kept::equals);

        assertThat(registry.forgetAbsent()).containsExactly(ghost);
        assertThat(registry.policies()).containsExactly(kept);
        assertThat(registry.policy(ghost)).isEmpty();
        assertThat(registry.trackedPodCount()).isEqualTo(1);
    }

    @Test
    void untilTheControllerSaysHowEveryTrackedPolicyIsPresent() {
        PodRegistry registry = new PodRegistry();
        registry.track(new ResourceID("p", "team-a"), Policy.of(new LeakPolicySpec()), List.of(pod("a-1")));

        assertThat(registry.forgetAbsent()).isEmpty();
        assertThat(registry.policies()).isEqualTo(Set.of(new ResourceID("p", "team-a")));
    }
}
