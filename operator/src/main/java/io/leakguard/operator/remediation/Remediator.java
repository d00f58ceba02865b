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
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.diagnostics.PodDiagnostics;
import io.leakguard.operator.spec.Policy;
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
    private final Outcomes outcomes;
    /** The pod uids whose eviction intent this process wrote: the others in status were left by another. */
    private final Set<String> ownIntents = ConcurrentHashMap.newKeySet();

    public Remediator(Evictor evictor, PodDiagnostics diagnostics, RemediationReports reports, IntentWriter intents,
            Clock clock) {
        this.evictor = evictor;
        this.diagnostics = diagnostics;
        this.reports = reports;
        this.outcomes = new Outcomes(reports, diagnostics);
        this.intents = intents;
        this.clock = clock;
    }

    /** What happened this round: the status to show, and whether to look again soon. */
    public record Outcome(List<RemediationRecord> records, int restarts, boolean recheckSoon) {
    }

    /** One remediate() call's working state: the records it edits, and what it found. */
    private static final class Pass {
        final LeakPolicy policy;
        final Policy parsed;
        final LeakPolicyStatus status;
        final List<RemediationRecord> records;
        final Map<String, PodJudgement> judged;
        final Instant now;
        int restarts;
        boolean recheck;

        Pass(LeakPolicy policy, Policy parsed, LeakPolicyStatus status, List<RemediationRecord> records,
                Map<String, PodJudgement> judged, Instant now) {
            this.policy = policy;
            this.parsed = parsed;
            this.status = status;
            this.records = records;
            this.judged = judged;
            this.now = now;
            this.restarts = status.restarts == null ? 0 : status.restarts;
        }

        Outcome outcome() {
            return new Outcome(trim(records), restarts, recheck);
        }
    }

    /** Acts on the Leaking pods of {@code policy} (its parsed form: {@code parsed}) and its interrupted evictions. */
    public Outcome remediate(LeakPolicy policy, Policy parsed, LeakPolicyStatus status, List<TrackedPod> tracked,
            List<PodJudgement> judgements, List<Pod> namespacePods) {
        List<RemediationRecord> records = new ArrayList<>(status.remediations == null ? List.of() : status.remediations);
        // This process replaces each intent it writes with the eviction's outcome in the same call, so an
        // intent of its own seen now is a leftover: the status patch at the end of the reconcile that
        // wrote it was computed from the policy as it was before the intent, and may have kept it.
        records.removeIf(r -> EVICTING.equals(r.result) && r.podUid != null && ownIntents.contains(r.podUid));
        Map<String, TrackedPod> byName = tracked.stream().collect(Collectors.toMap(TrackedPod::name, p -> p, (a, b) -> a));
        List<PodJudgement> leaking = judgements.stream().filter(j -> j.verdict().kind() == VerdictKind.Leaking)
                .filter(j -> byName.containsKey(j.pod()))
                .sorted(Comparator.comparingDouble(j -> j.verdict().projectedOomSeconds())).toList();
        reports.stillLeaking(policy, leaking.stream().map(PodJudgement::pod).collect(Collectors.toSet()));
        outcomes.pruneBackoffs(clock.instant());
        Pass pass = new Pass(policy, parsed, status, records,
                leaking.stream().collect(Collectors.toMap(PodJudgement::pod, j -> j, (a, b) -> a)), clock.instant());
        List<RemediationPlanner.PodState> pods = namespacePods.stream().map(Records::state).toList();
        resumeInterrupted(pass, byName, pods);
        if (leaking.isEmpty()) {
            return pass.outcome();
        }
        Map<String, RemediationPlanner.PodState> podsByName = pods.stream()
                .collect(Collectors.toMap(RemediationPlanner.PodState::name, p -> p, (a, b) -> a));
        List<RemediationPlanner.PodState> candidates = leaking.stream().map(j -> podsByName.get(j.pod()))
                .filter(Objects::nonNull).toList();
        List<RemediationPlanner.PastEviction> history = records.stream()
                .filter(r -> EVICTED.equals(r.result) || EVICTING.equals(r.result)).map(Records::past).toList();
        for (RemediationPlanner.Decision decision : RemediationPlanner.plan(settings(parsed), candidates, pods,
                history, pass.now)) {
            act(pass, decision, byName.get(decision.pod()));
        }
        return pass.outcome();
    }

    private static RemediationPlanner.Settings settings(Policy policy) {
        Policy.Remediation r = policy.remediation();
        return new RemediationPlanner.Settings(r.action(), r.dryRun(), r.maxConcurrent(), r.cooldown(), r.maxPerHour());
    }

    private void act(Pass pass, RemediationPlanner.Decision decision, TrackedPod pod) {
        PodJudgement judgement = pass.judged.get(decision.pod());
        switch (decision.kind()) {
            case Evict -> evict(pass, decision, pod);
            case DryRun -> {
                outcomes.note(decision, pod, "DryRun", "would restart: " + decision.reason(), pass.records, pass.now,
                        "dry_run", "Normal", "WouldEvict");
                reports.alert(pass.policy, pass.parsed, "WouldRestart", decision, judgement, diagnostics.dumpOf(pod),
                        "Would restart (dry run): nothing was evicted");
            }
            case AlertOnly -> {
                outcomes.note(decision, pod, "AlertOnly", decision.reason(), pass.records, pass.now,
                        "alert_only", "Warning", "EvictionSkipped");
                reports.alert(pass.policy, pass.parsed, "RestartWithheld", decision, judgement, diagnostics.dumpOf(pod),
                        "Not restarted: " + decision.reason());
            }
            case Wait -> {
                outcomes.note(decision, pod, "Waiting", decision.reason(), pass.records, pass.now,
                        "budget_exhausted", "Warning", "EvictionBlocked");
                reports.alert(pass.policy, pass.parsed, "RestartWithheld", decision, judgement, diagnostics.dumpOf(pod),
                        "Restart held back for now: " + decision.reason());
            }
        }
    }

    /** The dump first (or its failure), then the intent in status, then the eviction and its record. */
    private void evict(Pass pass, RemediationPlanner.Decision decision, TrackedPod pod) {
        if (!diagnostics.dumpSettled(pass.parsed, pod) || outcomes.backingOff(decision.podUid(), pass.now)) {
            pass.recheck = true;
            return;
        }
        DumpRecord dump = diagnostics.dumpOf(pod);
        RemediationRecord intent = record(decision, EVICTING, decision.reason(), dump, pass.now);
        ownIntents.add(decision.podUid());
        if (!intents.persist(pass.policy, pass.status, pass.records, intent)) {
            pass.recheck = true;
            return;
        }
        Evictor.Result result = evictor.evict(pod.namespace(), pod.name(), pod.uid());
        pass.restarts += outcomes.apply(pass.policy, decision, pod, result, dump, pass.records, pass.now);
        if (result.outcome() == Evictor.Outcome.Evicted) {
            String missing = Records.missingDump(dump);
            reports.alert(pass.policy, pass.parsed, "PodRestarted", decision, pass.judged.get(decision.pod()), dump,
                    "Restarted through the Eviction API before the projected OOM" + (missing.isEmpty() ? "" : "; " + missing));
        }
        pass.recheck |= result.outcome() != Evictor.Outcome.Evicted && result.outcome() != Evictor.Outcome.AlreadyGone;
    }

    /**
     * Finishes what another operator process started: an eviction intent in status that this process
     * did not write means its writer stopped (killed, or it lost its lease) after the dump and before
     * the eviction's result was recorded. The pod is evicted once if it is still there, recorded as
     * evicted if it is already going, and the intent dropped if it is too old to act on.
     */
    private void resumeInterrupted(Pass pass, Map<String, TrackedPod> byName, List<RemediationPlanner.PodState> pods) {
        LeakPolicy policy = pass.policy;
        List<RemediationRecord> records = pass.records;
        Instant now = pass.now;
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
                    pass.restarts += outcomes.apply(policy, decision, pod, result, dump, records, now);
                    pass.recheck |= result.outcome() != Evictor.Outcome.Evicted
                            && result.outcome() != Evictor.Outcome.AlreadyGone;
                }
                case Wait -> pass.recheck = true;
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
    }

    private static RemediationRecord record(RemediationPlanner.Decision decision, String result, String reason,
            DumpRecord dump, Instant now) {
        return Records.record(decision, result, reason, dump, now);
    }

    private static List<RemediationRecord> trim(List<RemediationRecord> records) {
        return Records.trim(records);
    }
}
