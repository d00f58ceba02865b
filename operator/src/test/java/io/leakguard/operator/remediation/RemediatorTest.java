package io.leakguard.operator.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.notify.Notification;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.tracking.TrackedPod;
import org.junit.jupiter.api.Test;

/**
 * The remediator alone, with the Eviction API, the dumps and the reports faked: an intent first, written by
 * the reconcile's status patch; the eviction by the next reconcile, once; and each outcome recorded and told.
 */
class RemediatorTest {

    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    private final List<String> evictions = new ArrayList<>();
    private final List<String> alerts = new ArrayList<>();
    private Evictor.Outcome answer = Evictor.Outcome.Evicted;
    private boolean dumpSettled = true;

    private final RemediationReports reports = new RemediationReports(null, null, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            new io.leakguard.operator.state.VerdictBoard()) {
        @Override
        void stillLeaking(LeakPolicy policy, Set<String> pods) {
        }

        @Override
        void evicted(LeakPolicy policy, TrackedPod pod, DumpRecord dump, String dumpNote) {
            alerts.add("event Evicted " + pod.name());
        }

        @Override
        void counted(String metric) {
        }

        @Override
        void noted(TrackedPod pod, String type, String eventReason, String reason) {
            alerts.add("event " + eventReason + " " + pod.name());
        }

        @Override
        void alert(LeakPolicy policy, Policy parsed, Notification.Kind kind, RemediationPlanner.Decision decision,
                PodJudgement judgement, DumpRecord dump, String action) {
            alerts.add(kind + " " + decision.pod());
        }
    };

    private final Remediator remediator = new Remediator((namespace, pod, uid) -> {
        evictions.add(pod);
        return new Evictor.Result(answer, answer.name());
    }, new Remediator.Dumps() {
        @Override
        public boolean dumpSettled(Policy policy, TrackedPod pod) {
            return dumpSettled;
        }

        @Override
        public DumpRecord dumpOf(TrackedPod pod) {
            DumpRecord record = new DumpRecord();
            record.configMap = "dump-" + pod.name();
            return record;
        }
    }, reports, Clock.fixed(NOW, ZoneOffset.UTC));

    private static LeakPolicy policy(List<RemediationRecord> records) {
        LeakPolicy policy = new LeakPolicy();
        policy.getMetadata().setName("checkout");
        policy.getMetadata().setNamespace("shop");
        LeakPolicySpec spec = new LeakPolicySpec();
        spec.selector = new LabelSelectorBuilder().addToMatchLabels("app", "checkout").build();
        spec.runtime = Runtime.Go;
        policy.setSpec(spec);
        LeakPolicyStatus status = new LeakPolicyStatus();
        status.remediations = new ArrayList<>(records);
        status.restarts = 0;
        policy.setStatus(status);
        return policy;
    }

    private static Pod pod(String name, boolean terminating) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").withUid(name + "-uid")
                .withCreationTimestamp(NOW.minus(Duration.ofHours(1)).toString())
                .addNewOwnerReference().withKind("ReplicaSet").withName("checkout-7c9f").withController(true)
                .withApiVersion("apps/v1").withUid("rs").endOwnerReference()
                .endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        if (terminating) {
            pod.editMetadata().withDeletionTimestamp(NOW.toString()).endMetadata();
        }
        return pod.build();
    }

    private static TrackedPod tracked(String name) {
        return new TrackedPod("shop", name, name + "-uid", "10.0.0.1", "Running", "app", 9090, null, 160e6,
                name + "-uid/0/", 0, "ReplicaSet/checkout-7c9f");
    }

    private static PodJudgement leaking(String pod) {
        return new PodJudgement(pod, new Verdict(VerdictKind.Leaking, 1e8, 5e7, 0.001, 100, 50, 0.001, 600, 300, 1e8,
                60, "projected OOM in 10m", 1e8, "memory limit"), null, NOW.toEpochMilli());
    }

    private Remediator.Outcome round(List<RemediationRecord> records, List<Pod> namespacePods) {
        LeakPolicy policy = policy(records);
        return remediator.remediate(policy, Policy.of(policy.getSpec()), policy.getStatus(),
                List.of(tracked("checkout-1"), tracked("checkout-2")), List.of(leaking("checkout-1")), namespacePods);
    }

    private final List<Pod> bothRunning = List.of(pod("checkout-1", false), pod("checkout-2", false));

    @Test
    void aLeakingPodFirstGetsAnIntentThatTheNextReconcileCarriesOutOnce() {
        Remediator.Outcome first = round(List.of(), bothRunning);

        assertThat(first.newIntent()).isTrue();
        assertThat(first.records()).singleElement().satisfies(r -> {
            assertThat(r.result).isEqualTo("Evicting");
            assertThat(r.pod).isEqualTo("checkout-1");
            assertThat(r.dump).isEqualTo("dump-checkout-1");
        });
        assertThat(evictions).as("nothing is evicted before the intent is written").isEmpty();

        Remediator.Outcome second = round(first.records(), bothRunning);

        assertThat(evictions).containsExactly("checkout-1");
        assertThat(second.newIntent()).isFalse();
        assertThat(second.restarts()).isEqualTo(1);
        assertThat(second.records()).extracting(r -> r.result).containsExactly("Evicted");
        assertThat(alerts).contains("PodRestarted checkout-1", "event Evicted checkout-1");

        Remediator.Outcome third = round(second.records(),
                List.of(pod("checkout-1", true), pod("checkout-2", false)));

        assertThat(evictions).as("evicted once, whatever the reconciles after").containsExactly("checkout-1");
        assertThat(third.newIntent()).isFalse();
    }

    @Test
    void anIntentForAPodAlreadyGoingIsRecordedAsEvictedWithoutAnotherEviction() {
        RemediationRecord intent = round(List.of(), bothRunning).records().get(0);

        Remediator.Outcome after = round(List.of(intent), List.of(pod("checkout-1", true), pod("checkout-2", false)));

        assertThat(evictions).isEmpty();
        assertThat(after.records()).extracting(r -> r.result).containsExactly("Evicted");
    }

    @Test
    void anIntentOlderThanTheResumeLimitIsAbandonedNotCarriedOut() {
        RemediationRecord intent = round(List.of(), bothRunning).records().get(0);
        intent.time = NOW.minus(RemediationPlanner.RESUME_LIMIT).minusSeconds(1).toString();

        Remediator.Outcome after = round(List.of(intent), bothRunning);

        assertThat(evictions).isEmpty();
        assertThat(after.records()).extracting(r -> r.result).contains("Abandoned");
    }

    @Test
    void noIntentIsWrittenUntilTheDumpIsSettled() {
        dumpSettled = false;

        Remediator.Outcome outcome = round(List.of(), bothRunning);

        assertThat(outcome.newIntent()).isFalse();
        assertThat(outcome.recheckSoon()).isTrue();
        assertThat(outcome.records()).isEmpty();
    }

    @Test
    void anEvictionABudgetRefusesIsRecordedOnceAndTriedAgain() {
        answer = Evictor.Outcome.BlockedByPdb;
        Remediator.Outcome intent = round(List.of(), bothRunning);

        Remediator.Outcome blocked = round(intent.records(), bothRunning);

        assertThat(blocked.records()).extracting(r -> r.result).containsExactly("BlockedByPdb");
        assertThat(blocked.recheckSoon()).isTrue();
        assertThat(blocked.restarts()).isZero();
        assertThat(alerts).containsOnlyOnce("event EvictionBlocked checkout-1");

        Remediator.Outcome again = round(round(blocked.records(), bothRunning).records(), bothRunning);

        assertThat(evictions).as("tried again on later reconciles").hasSize(2);
        assertThat(again.records()).extracting(r -> r.result).containsExactly("BlockedByPdb");
        assertThat(alerts).as("the same refusal is not reported twice").containsOnlyOnce("event EvictionBlocked checkout-1");
    }
}
