package io.leakguard.operator.remediation;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Pod;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.diagnostics.PodDiagnostics;
import io.leakguard.operator.spec.GoDuration;
import io.leakguard.operator.tracking.TrackedPod;
import org.jboss.logging.Logger;

/**
 * Acts on the planner's decisions for one policy, from its reconcile: the dump first, then the
 * eviction. Before evicting it writes its intent to the policy's status with the resourceVersion it
 * planned from, so that a conflicting writer (a second leader, a stale cache) makes it stop rather
 * than evict twice; the budgets are counted from that status, so they survive operator restarts.
 */
@Singleton
public class Remediator {

    private static final Logger LOG = Logger.getLogger(Remediator.class);
    private static final String EVICTING = Records.EVICTING;
    private static final String EVICTED = Records.EVICTED;

    private final Evictor evictor;
    private final PodDiagnostics diagnostics;
    private final RemediationReports reports;
    private final IntentWriter intents;
    private final Clock clock;
    private final Map<String, Backoff> failures = new ConcurrentHashMap<>();
    /** The pod uids whose eviction intent this process wrote: the others in status were left by another. */
    private final Set<String> ownIntents = ConcurrentHashMap.newKeySet();

    private record Backoff(int attempts, Instant next) {
    }

    public Remediator(Evictor evictor, PodDiagnostics diagnostics, RemediationReports reports, IntentWriter intents,
            Clock clock) {
        this.evictor = evictor;
        this.diagnostics = diagnostics;
        this.reports = reports;
        this.intents = intents;
        this.clock = clock;
    }

    /** What happened this round: the status to show, and whether to look again soon. */
    public record Outcome(List<RemediationRecord> records, int restarts, boolean recheckSoon) {
    }

    public Outcome remediate(LeakPolicy policy, LeakPolicyStatus status, List<TrackedPod> tracked,
            List<PodJudgement> judgements, List<Pod> namespacePods) {
        LeakPolicySpec spec = policy.getSpec();
        List<RemediationRecord> records = new ArrayList<>(status.remediations == null ? List.of() : status.remediations);
        // This process replaces each intent it writes with the eviction's outcome in the same call, so an
        // intent of its own seen now is a leftover: the status patch at the end of the reconcile that
        // wrote it was computed from the policy as it was before the intent, and may have kept it.
        records.removeIf(r -> EVICTING.equals(r.result) && r.podUid != null && ownIntents.contains(r.podUid));
        int restarts = status.restarts == null ? 0 : status.restarts;
        Map<String, TrackedPod> byName = tracked.stream().collect(Collectors.toMap(TrackedPod::name, p -> p, (a, b) -> a));
        List<PodJudgement> leaking = judgements.stream().filter(j -> j.verdict().kind() == VerdictKind.Leaking)
                .filter(j -> byName.containsKey(j.pod()))
                .sorted(Comparator.comparingDouble(j -> j.verdict().projectedOomSeconds())).toList();
        reports.stillLeaking(policy, leaking.stream().map(PodJudgement::pod).collect(Collectors.toSet()));
        if (failures.size() > 1000) {
            // Backoffs of pods long gone; a live pod's next failure starts its backoff again.
            failures.entrySet().removeIf(e -> e.getValue().next().isBefore(clock.instant()));
        }
        Instant now = clock.instant();
        List<RemediationPlanner.PodState> pods = namespacePods.stream().map(Records::state).toList();
        Resumed resumed = resumeInterrupted(policy, records, byName, pods, now);
        restarts += resumed.restarts();
        if (leaking.isEmpty()) {
            return new Outcome(trim(records), restarts, resumed.recheck());
        }
        Map<String, PodJudgement> judged = leaking.stream().collect(Collectors.toMap(PodJudgement::pod, j -> j, (a, b) -> a));
        Map<String, RemediationPlanner.PodState> podsByName = pods.stream()
                .collect(Collectors.toMap(RemediationPlanner.PodState::name, p -> p, (a, b) -> a));
        List<RemediationPlanner.PodState> candidates = leaking.stream().map(j -> podsByName.get(j.pod()))
                .filter(Objects::nonNull).toList();
        List<RemediationPlanner.PastEviction> history = records.stream()
                .filter(r -> EVICTED.equals(r.result) || EVICTING.equals(r.result))
                .map(Records::past)
                .toList();
        RemediationPlanner.Settings settings = new RemediationPlanner.Settings(spec.remediation.action,
                Boolean.TRUE.equals(spec.remediation.dryRun), spec.remediation.maxConcurrent,
                GoDuration.parse(spec.remediation.cooldown), spec.remediation.maxPerHour);
        boolean recheck = resumed.recheck();
        for (RemediationPlanner.Decision decision : RemediationPlanner.plan(settings, candidates, pods, history, now)) {
            TrackedPod pod = byName.get(decision.pod());
            switch (decision.kind()) {
                case Evict -> {
                    if (!diagnostics.dumpSettled(spec, pod)) {
                        recheck = true;
                        continue;
                    }
                    Backoff backoff = failures.get(decision.podUid());
                    if (backoff != null && backoff.next().isAfter(now)) {
                        recheck = true;
                        continue;
                    }
                    DumpRecord dump = diagnostics.dumpOf(pod);
                    RemediationRecord intent = record(decision, EVICTING, decision.reason(), dump, now);
                    ownIntents.add(decision.podUid());
                    if (!intents.persist(policy, status, records, intent)) {
                        recheck = true;
                        continue;
                    }
                    records.add(0, intent);
                    Evictor.Result result = evictor.evict(pod.namespace(), pod.name(), pod.uid());
                    records.remove(intent);
                    restarts += apply(policy, decision, pod, result, dump, records, now);
                    if (result.outcome() == Evictor.Outcome.Evicted) {
                        reports.alert(policy, "PodRestarted", decision, judged.get(decision.pod()), dump,
                                "Restarted through the Eviction API before the projected OOM"
                                        + (Records.missingDump(dump).isEmpty() ? "" : "; " + Records.missingDump(dump)));
                    }
                    recheck |= result.outcome() != Evictor.Outcome.Evicted && result.outcome() != Evictor.Outcome.AlreadyGone;
                }
                case DryRun -> {
                    note(decision, pod, "DryRun", "would restart: " + decision.reason(), records, now,
                            "dry_run", "Normal", "WouldEvict");
                    reports.alert(policy, "WouldRestart", decision, judged.get(decision.pod()), diagnostics.dumpOf(pod),
                            "Would restart (dry run): nothing was evicted");
                }
                case AlertOnly -> {
                    note(decision, pod, "AlertOnly", decision.reason(), records, now,
                            "alert_only", "Warning", "EvictionSkipped");
                    reports.alert(policy, "RestartWithheld", decision, judged.get(decision.pod()), diagnostics.dumpOf(pod),
                            "Not restarted: " + decision.reason());
                }
                case Wait -> {
                    note(decision, pod, "Waiting", decision.reason(), records, now,
                            "budget_exhausted", "Warning", "EvictionBlocked");
                    reports.alert(policy, "RestartWithheld", decision, judged.get(decision.pod()), diagnostics.dumpOf(pod),
                            "Restart held back for now: " + decision.reason());
                }
            }
        }
        return new Outcome(trim(records), restarts, recheck);
    }

    private record Resumed(int restarts, boolean recheck) {
    }

    /**
     * Finishes what another operator process started: an eviction intent in status that this process
     * did not write means its writer stopped (killed, or it lost its lease) after the dump and before
     * the eviction's result was recorded. The pod is evicted once if it is still there, recorded as
     * evicted if it is already going, and the intent dropped if it is too old to act on.
     */
    private Resumed resumeInterrupted(LeakPolicy policy, List<RemediationRecord> records, Map<String, TrackedPod> byName,
            List<RemediationPlanner.PodState> pods, Instant now) {
        int restarts = 0;
        boolean recheck = false;
        // remediate() has already dropped this process's own intents: those left are another's.
        List<RemediationRecord> interrupted = records.stream()
                .filter(r -> EVICTING.equals(r.result) && r.podUid != null).toList();
        for (RemediationRecord intent : interrupted) {
            RemediationPlanner.Resume fate = RemediationPlanner.resume(Records.past(intent), pods, now);
            TrackedPod pod = byName.get(intent.pod);
            if (fate == RemediationPlanner.Resume.Evict && (pod == null || !intent.podUid.equals(pod.uid()))) {
                fate = RemediationPlanner.Resume.Wait;
            }
            RemediationPlanner.Decision decision = new RemediationPlanner.Decision(intent.pod, intent.podUid,
                    intent.workload, RemediationPlanner.Kind.Evict, intent.reason);
            DumpRecord dump = new DumpRecord();
            dump.configMap = intent.dump;
            LOG.infof("resuming an interrupted eviction: namespace=%s policy=%s pod=%s intent=%s decision=%s",
                    policy.getMetadata().getNamespace(), policy.getMetadata().getName(), intent.pod, intent.time, fate);
            if (fate != RemediationPlanner.Resume.Wait) {
                // Settled now by this process: its record is this process's to keep.
                ownIntents.add(intent.podUid);
            }
            switch (fate) {
                case Complete -> {
                    records.remove(intent);
                    if (records.stream().noneMatch(r -> EVICTED.equals(r.result) && intent.podUid.equals(r.podUid))) {
                        records.add(0, record(decision, EVICTED, intent.reason + "; the pod was already going when the"
                                + " eviction was confirmed after an operator restart", dump, now));
                    }
                }
                case Evict -> {
                    Evictor.Result result = evictor.evict(pod.namespace(), pod.name(), pod.uid());
                    records.remove(intent);
                    restarts += apply(policy, decision, pod, result, dump, records, now);
                    recheck |= result.outcome() != Evictor.Outcome.Evicted && result.outcome() != Evictor.Outcome.AlreadyGone;
                }
                case Wait -> recheck = true;
                case Abandon -> {
                    records.remove(intent);
                    records.add(0, record(decision, "Abandoned", "an eviction intent older than "
                            + RemediationPlanner.RESUME_LIMIT.toMinutes() + "m was found after an operator restart and"
                            + " not carried out; the pod is judged afresh", dump, now));
                }
            }
        }
        if (ownIntents.size() > 10_000) {
            ownIntents.clear();
        }
        return new Resumed(restarts, recheck);
    }

    private int apply(LeakPolicy policy, RemediationPlanner.Decision decision, TrackedPod pod, Evictor.Result result,
            DumpRecord dump, List<RemediationRecord> records, Instant now) {
        String dumpNote = Records.dumpNote(dump);
        switch (result.outcome()) {
            case Evicted, AlreadyGone -> {
                failures.remove(decision.podUid());
                records.add(0, record(decision, EVICTED, decision.reason() + "; " + result.message() + dumpNote, dump, now));
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
    private void note(RemediationPlanner.Decision decision, TrackedPod pod, String result, String reason,
            List<RemediationRecord> records, Instant now, String metric, String type, String eventReason) {
        reports.counted(metric);
        RemediationRecord newest = records.stream().filter(r -> decision.pod().equals(r.pod)).findFirst().orElse(null);
        if (newest != null && result.equals(newest.result) && reason.equals(newest.reason)) {
            return;
        }
        records.add(0, record(decision, result, reason, diagnostics.dumpOf(pod), now));
        reports.noted(pod, type, eventReason, reason);
    }

    private static RemediationRecord record(RemediationPlanner.Decision decision, String result, String reason,
            DumpRecord dump, Instant now) {
        return Records.record(decision, result, reason, dump, now);
    }

    private static List<RemediationRecord> trim(List<RemediationRecord> records) {
        return Records.trim(records);
    }
}
