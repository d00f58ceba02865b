package io.leakguard.operator.remediation;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.operator.tracking.TrackedPod;
import org.jboss.logging.Logger;

/**
 * Records what an eviction or a decision came to, in the policy's remediation records and through the
 * reports, and keeps the backoff of pods whose eviction failed.
 */
final class Outcomes {

    private static final Logger LOG = Logger.getLogger(Outcomes.class);

    private record Backoff(int attempts, Instant next) {
    }

    private final RemediationReports reports;
    private final Remediator.Dumps diagnostics;
    private final Map<String, Backoff> failures = new ConcurrentHashMap<>();

    Outcomes(RemediationReports reports, Remediator.Dumps diagnostics) {
        this.reports = reports;
        this.diagnostics = diagnostics;
    }

    /** Whether a pod's last eviction failed and its next attempt is not due yet. */
    boolean backingOff(String podUid, Instant now) {
        Backoff backoff = failures.get(podUid);
        return backoff != null && backoff.next().isAfter(now);
    }

    /** Forgets the backoffs of pods long gone; a live pod's next failure starts its backoff again. */
    void pruneBackoffs(Instant now) {
        if (failures.size() > 1000) {
            failures.entrySet().removeIf(e -> e.getValue().next().isBefore(now));
        }
    }

    /** Records an eviction's result; returns 1 when it restarted the pod. */
    int apply(LeakPolicy policy, RemediationPlanner.Decision decision, TrackedPod pod, Evictor.Result result,
            DumpRecord dump, List<RemediationRecord> records, Instant now) {
        String dumpNote = Records.dumpNote(dump);
        switch (result.outcome()) {
            case Evicted, AlreadyGone -> {
                failures.remove(decision.podUid());
                records.add(0, Records.record(decision, Records.EVICTED, decision.reason() + "; " + result.message() + dumpNote,
                        dump, now));
                LOG.infof("pod evicted: namespace=%s policy=%s pod=%s workload=%s", pod.namespace(),
                        policy.getMetadata().getName(), pod.name(), decision.workload());
                reports.evicted(policy, pod, dump, dumpNote);
                return result.outcome() == Evictor.Outcome.Evicted ? 1 : 0;
            }
            case BlockedByPdb -> {
                note(decision, pod, "BlockedByPdb", result.message(), records, now, "blocked_by_pdb", "Warning",
                        "EvictionBlocked");
                return 0;
            }
            default -> {
                Backoff previous = failures.get(decision.podUid());
                int attempts = previous == null ? 1 : previous.attempts() + 1;
                long delay = Math.min(300, 5L << Math.min(attempts, 6));
                failures.put(decision.podUid(), new Backoff(attempts, now.plusSeconds(delay)));
                note(decision, pod, "Failed", result.message() + " (attempt " + attempts + ", next in " + delay + "s)",
                        records, now, "failed", "Warning", "EvictionFailed");
                return 0;
            }
        }
    }

    /** Records a non-eviction outcome once per pod and reason, with its metric and Event. */
    void note(RemediationPlanner.Decision decision, TrackedPod pod, String result, String reason,
            List<RemediationRecord> records, Instant now, String metric, String type, String eventReason) {
        reports.counted(metric);
        RemediationRecord newest = records.stream().filter(r -> decision.pod().equals(r.pod)).findFirst().orElse(null);
        if (newest != null && result.equals(newest.result) && reason.equals(newest.reason)) {
            return;
        }
        records.add(0, Records.record(decision, result, reason, diagnostics.dumpOf(pod), now));
        reports.noted(pod, type, eventReason, reason);
    }
}
