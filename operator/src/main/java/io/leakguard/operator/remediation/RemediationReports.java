package io.leakguard.operator.remediation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.notify.KubernetesEvents;
import io.leakguard.operator.notify.Notification;
import io.leakguard.operator.notify.Notifier;
import io.leakguard.operator.spec.GoDuration;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.state.VerdictBoard;
import io.leakguard.operator.tracking.TrackedPod;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Where remediation outcomes are told: the remediation metric, Kubernetes Events on the pod and its
 * policy, and the alerts to Slack and Alertmanager (one message per pod life and kind).
 */
@Singleton
public class RemediationReports {

    private final KubernetesEvents events;
    private final Notifier notifier;
    private final MeterRegistry meters;
    private final VerdictBoard board;
    private final Timer breachToEviction;

    public RemediationReports(KubernetesEvents events, Notifier notifier, MeterRegistry meters, VerdictBoard board) {
        this.events = events;
        this.notifier = notifier;
        this.meters = meters;
        this.board = board;
        this.breachToEviction = Timer.builder("leakguard.remediation.breach.to.eviction")
                .description("From the sample that first judged a pod Leaking to its eviction request")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /** An eviction request was just answered: how long after the sample that crossed the line. */
    void evictionRequested(LeakPolicy policy, TrackedPod pod, long nowMillis) {
        Long since = board.leakingSince(ResourceID.fromResource(policy), pod.name());
        if (since != null && nowMillis >= since) {
            breachToEviction.record(nowMillis - since, TimeUnit.MILLISECONDS);
        }
    }

    /** Resolves the policy's open alerts except those of the pods still leaking. */
    void stillLeaking(LeakPolicy policy, Set<String> pods) {
        notifier.resolveExcept(policy.getMetadata().getNamespace(), policy.getMetadata().getName(), pods);
    }

    /** A pod was evicted (or was already going): the metric, and an Event on the pod and on its policy. */
    void evicted(LeakPolicy policy, TrackedPod pod, DumpRecord dump, String dumpNote) {
        meters.counter("leakguard.remediations", "result", "evicted").increment();
        String message = "Evicted by LeakGuard policy " + policy.getMetadata().getName() + " before its projected OOM"
                + (dump != null && dump.configMap != null ? "; dump in ConfigMap " + dump.configMap : dumpNote);
        events.record(pod.reference(), "Normal", "Evicted", message);
        events.record(policy, "Normal", "Evicted", pod.name() + ": " + message);
    }

    /** An outcome other than an eviction, counted every time it is decided. */
    void counted(String metric) {
        meters.counter("leakguard.remediations", "result", metric).increment();
    }

    /** An outcome other than an eviction, newly recorded for this pod: an Event on the pod. */
    void noted(TrackedPod pod, String type, String eventReason, String reason) {
        events.record(pod.reference(), type, eventReason, reason);
    }

    /** An alert to Slack and Alertmanager, once per pod life and kind. */
    void alert(LeakPolicy policy, Policy parsed, Notification.Kind kind, RemediationPlanner.Decision decision, PodJudgement judgement,
            DumpRecord dump, String action) {
        Verdict v = judgement == null ? null : judgement.verdict();
        String eta = v == null || Double.isInfinite(v.projectedOomSeconds()) ? null
                : GoDuration.format(Duration.ofMinutes(Math.round(v.projectedOomSeconds() / 60.0)));
        Notification n = new Notification(kind, policy.getMetadata().getName(), policy.getMetadata().getNamespace(),
                decision.pod(), decision.workload(), v == null ? "Leaking" : v.kind().name(), v == null ? null : v.reason(),
                v == null || Double.isNaN(v.heapBytesPerHour()) ? null : v.heapBytesPerHour(),
                v == null || Double.isNaN(v.threadsPerHour()) ? null : v.threadsPerHour(), eta, action,
                dump == null ? List.of() : Stream.of(dump.topGroup, dump.provenLeaks, dump.profiles).filter(Objects::nonNull).toList(),
                dump == null ? null : dump.configMap, kind.severity(),
                Map.of());
        notifier.notify(decision.podUid() + "/" + kind, parsed.alerting(), n);
    }
}
