package io.leakguard.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import io.fabric8.kubernetes.api.model.Condition;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.operator.controller.LeakPolicyStatusFactory;
import org.junit.jupiter.api.Test;

class LeakPolicyStatusFactoryTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private static LeakPolicy policy(long generation) {
        LeakPolicy policy = new LeakPolicy();
        policy.getMetadata().setName("checkout");
        policy.getMetadata().setNamespace("shop");
        policy.getMetadata().setGeneration(generation);
        return policy;
    }

    private static Condition ready(LeakPolicy policy) {
        return policy.getStatus().conditions.stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    @Test
    void readyCarriesTheGenerationItDescribes() {
        LeakPolicy policy = policy(7);
        policy.setStatus(LeakPolicyStatusFactory.build(policy, 3, List.of(), T0));
        assertThat(policy.getStatus().observedGeneration).isEqualTo(7L);
        assertThat(ready(policy).getObservedGeneration()).isEqualTo(7L);
        assertThat(ready(policy).getMessage()).isEqualTo("Watching 3 pods");
    }

    @Test
    void transitionTimeMovesOnlyWhenReadyChangesStatus() {
        LeakPolicy policy = policy(1);
        policy.setStatus(LeakPolicyStatusFactory.build(policy, 3, List.of(), T0));
        policy.setStatus(LeakPolicyStatusFactory.build(policy, 4, List.of(), T0.plusSeconds(60)));
        assertThat(ready(policy).getLastTransitionTime()).isEqualTo("2026-11-28T10:00:00Z");

        policy.setStatus(LeakPolicyStatusFactory.build(policy, 4, List.of("spec.selector is empty"), T0.plusSeconds(120)));
        assertThat(ready(policy).getStatus()).isEqualTo("False");
        assertThat(ready(policy).getLastTransitionTime()).isEqualTo("2026-11-28T10:02:00Z");
    }

    @Test
    void sameInputsGiveAnEqualStatusSoNothingIsPatched() {
        LeakPolicy policy = policy(1);
        policy.setStatus(LeakPolicyStatusFactory.build(policy, 2, List.of(), T0));
        var again = LeakPolicyStatusFactory.build(policy, 2, List.of(), T0.plusSeconds(30));
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(again))
                .isEqualTo(io.fabric8.kubernetes.client.utils.Serialization.asJson(policy.getStatus()));
    }

    @Test
    void remediationHistoryAndRestartCountSurviveARebuild() {
        LeakPolicy policy = policy(1);
        policy.setStatus(LeakPolicyStatusFactory.build(policy, 2, List.of(), T0));
        RemediationRecord record = new RemediationRecord();
        record.pod = "checkout-1";
        record.result = "Evicted";
        policy.getStatus().remediations.add(record);
        policy.getStatus().restarts = 1;

        var rebuilt = LeakPolicyStatusFactory.build(policy, 2, List.of(), T0.plusSeconds(30));

        assertThat(rebuilt.restarts).isEqualTo(1);
        assertThat(rebuilt.remediations).extracting(r -> r.pod).containsExactly("checkout-1");
    }

    @Test
    void failedReconcileSaysSoAndKeepsTheCounts() {
        LeakPolicy policy = policy(1);
        policy.setStatus(LeakPolicyStatusFactory.build(policy, 2, List.of(), T0));
        var failed = LeakPolicyStatusFactory.failed(policy, new IllegalStateException("API server answered 500"), T0);
        assertThat(failed.pods.matched).isEqualTo(2);
        Condition ready = failed.conditions.get(0);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("ReconcileFailed");
        assertThat(ready.getMessage()).contains("API server answered 500").contains("will be retried");
    }
}
