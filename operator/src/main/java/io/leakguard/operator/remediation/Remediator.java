package io.leakguard.operator.remediation;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Pod;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.diagnostics.PodDiagnostics;
import io.leakguard.operator.notify.Notification;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.tracking.TrackedPod;
import org.jboss.logging.Logger;

/**
 * Acts on the planner's decisions for one policy, from its reconcile, in two steps that the reconcile's own
 * status patch separates. A pod to restart first gets an eviction intent in the records; the reconcile
 * writes it with the policy's resourceVersion (optimistic locking: a second leader or a stale cache makes
 * that write fail, and nothing is evicted) and comes back at once. The next reconcile finds the intent,
 * whoever wrote it, and carries it out: it evicts the pod once if it is still there, records it as evicted
 * if it is already going, or drops an intent too old to act on. An operator killed between the two steps
 * is resumed by the same path. The budgets are counted from these records, so they survive restarts.
 */
@Singleton
public class Remediator {

    private static final Logger LOG = Logger.getLogger(Remediator.class);
    private static final String EVICTING = Records.EVICTING;
    private static final String EVICTED = Records.EVICTED;

    /** The Eviction API, as the remediator calls it. */
    interface Evictions {
        Evictor.Result evict(String namespace, String pod, String uid);
    }

    /** The trigger dumps, as the remediator waits on them: the dump comes first, but never holds a restart back. */
    interface Dumps {
        boolean dumpSettled(Policy policy, TrackedPod pod);

        DumpRecord dumpOf(TrackedPod pod);
    }

    private final Evictions evictor;
    private final Dumps diagnostics;
    private final RemediationReports reports;
    private final Clock clock;
    private final Outcomes outcomes;

    @Inject
    public Remediator(Evictor evictor, PodDiagnostics diagnostics, RemediationReports reports, Clock clock) {
        this(evictor::evict, new Dumps() {
            @Override
            public boolean dumpSettled(Policy policy, TrackedPod pod) {
                return diagnostics.dumpSettled(policy, pod);
            }

            @Override
            public DumpRecord dumpOf(TrackedPod pod) {
                return diagnostics.dumpOf(pod);
            }
        }, reports, clock);
    }

    Remediator(Evictions evictor, Dumps dumps, RemediationReports reports, Clock clock) {
        this.evictor = evictor;
        this.diagnostics = dumps;
        this.reports = reports;
        this.outcomes = new Outcomes(reports, dumps);
        this.clock = clock;
    }

    /**
     * What happened this round: the records and restarts for status, whether to look again soon, and whether
     * the records hold a new eviction intent (status must then be written with the resourceVersion it was
     * planned from, and the next reconcile carries the intent out).
     */
    public record Outcome(List<RemediationRecord> records, int restarts, boolean recheckSoon, boolean newIntent) {
    }

    /** One remediate() call's working state: the records it edits, and what it found. */
    private static final class Pass {
        final LeakPolicy policy;
        final Policy parsed;
        final List<RemediationRecord> records;
        final Map<String, PodJudgement> judged;
        final Instant now;
        /** Pods whose intent this pass carried out: their next try waits for a later reconcile. */
        final Set<String> tried = new HashSet<>();
        int restarts;
        boolean recheck;
        boolean newIntent;

        Pass(LeakPolicy policy, Policy parsed, LeakPolicyStatus status, List<RemediationRecord> records,
                Map<String, PodJudgement> judged, Instant now) {
            this.policy = policy;
            this.parsed = parsed;
            this.records = records;
            this.judged = judged;
            this.now = now;
            this.restarts = status.restarts == null ? 0 : status.restarts;
        }

        Outcome outcome() {
            return new Outcome(Records.trim(records), restarts, recheck || newIntent, newIntent);
        }
    }

    /** Acts on the Leaking pods of {@code policy} (its parsed form: {@code parsed}) and on the intents in its status. */
    public Outcome remediate(LeakPolicy policy, Policy parsed, LeakPolicyStatus status, List<TrackedPod> tracked,
            List<PodJudgement> judgements, List<Pod> namespacePods) {
        List<RemediationRecord> records = new ArrayList<>(status.remediations == null ? List.of() : status.remediations);
        Map<String, TrackedPod> byName = tracked.stream().collect(Collectors.toMap(TrackedPod::name, p -> p, (a, b) -> a));
        List<PodJudgement> leaking = judgements.stream().filter(j -> j.verdict().kind() == VerdictKind.Leaking)
                .filter(j -> byName.containsKey(j.pod()))
                .sorted(Comparator.comparingDouble(j -> j.verdict().projectedOomSeconds())).toList();
        reports.stillLeaking(policy, leaking.stream().map(PodJudgement::pod).collect(Collectors.toSet()));
        outcomes.pruneBackoffs(clock.instant());
        Pass pass = new Pass(policy, parsed, status, records,
                leaking.stream().collect(Collectors.toMap(PodJudgement::pod, j -> j, (a, b) -> a)), clock.instant());
        List<RemediationPlanner.PodState> pods = namespacePods.stream().map(Records::state).toList();
        carryOutIntents(pass, byName, pods);
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
            case Evict -> intend(pass, decision, pod);
            case DryRun -> {
                outcomes.note(decision, pod, "DryRun", "would restart: " + decision.reason(), pass.records, pass.now,
                        "dry_run", "Normal", "WouldEvict");
                reports.alert(pass.policy, pass.parsed, Notification.Kind.WouldRestart, decision, judgement, diagnostics.dumpOf(pod),
                        "Would restart (dry run): nothing was evicted");
            }
            case AlertOnly -> {
                outcomes.note(decision, pod, "AlertOnly", decision.reason(), pass.records, pass.now,
                        "alert_only", "Warning", "EvictionSkipped");
                reports.alert(pass.policy, pass.parsed, Notification.Kind.RestartWithheld, decision, judgement, diagnostics.dumpOf(pod),
                        "Not restarted: " + decision.reason());
            }
            case Wait -> {
                outcomes.note(decision, pod, "Waiting", decision.reason(), pass.records, pass.now,
                        "budget_exhausted", "Warning", "EvictionBlocked");
                reports.alert(pass.policy, pass.parsed, Notification.Kind.RestartWithheld, decision, judgement, diagnostics.dumpOf(pod),
                        "Restart held back for now: " + decision.reason());
            }
        }
    }

    /** Once the dump is settled (taken, failed or not wanted) and no backoff holds it, the intent to evict. */
    private void intend(Pass pass, RemediationPlanner.Decision decision, TrackedPod pod) {
        if (!diagnostics.dumpSettled(pass.parsed, pod) || outcomes.backingOff(decision.podUid(), pass.now)
                || pass.tried.contains(decision.podUid())) {
            pass.recheck = true;
            return;
        }
        pass.records.add(0, Records.record(decision, EVICTING, decision.reason(), diagnostics.dumpOf(pod), pass.now));
        pass.newIntent = true;
    }

    /**
     * Carries out the eviction intents in status, whoever wrote them: this process's previous reconcile, or an
     * operator process that stopped (killed, or it lost its lease) before it could. The pod is evicted once if
     * it is still there, recorded as evicted if it is already going, and the intent dropped if it is too old.
     */
    private void carryOutIntents(Pass pass, Map<String, TrackedPod> byName, List<RemediationPlanner.PodState> pods) {
        List<RemediationRecord> intents = pass.records.stream()
                .filter(r -> EVICTING.equals(r.result) && r.podUid != null).toList();
        for (RemediationRecord intent : intents) {
            RemediationPlanner.Resume fate = RemediationPlanner.resume(Records.past(intent), pods, pass.now);
            TrackedPod pod = byName.get(intent.pod);
            if (fate == RemediationPlanner.Resume.Evict && (pod == null || !intent.podUid.equals(pod.uid()))) {
                fate = RemediationPlanner.Resume.Wait;
            }
            RemediationPlanner.Decision decision = new RemediationPlanner.Decision(intent.pod, intent.podUid,
                    intent.workload, RemediationPlanner.Kind.Evict, intent.reason);
            DumpRecord dump = new DumpRecord();
            dump.configMap = intent.dump;
            LOG.debugf("eviction intent: namespace=%s policy=%s pod=%s written=%s decision=%s",
                    pass.policy.getMetadata().getNamespace(), pass.policy.getMetadata().getName(), intent.pod,
                    intent.time, fate);
            switch (fate) {
                case Evict -> evict(pass, decision, pod, intent, dump);
                case Complete -> {
                    pass.records.remove(intent);
                    if (pass.records.stream().noneMatch(r -> EVICTED.equals(r.result) && intent.podUid.equals(r.podUid))) {
                        pass.records.add(0, Records.record(decision, EVICTED, intent.reason
                                + "; the pod was already going when its eviction intent was carried out", dump, pass.now));
                    }
                }
                case Wait -> pass.recheck = true;
                case Abandon -> {
                    pass.records.remove(intent);
                    pass.records.add(0, Records.record(decision, "Abandoned", "an eviction intent older than "
                            + RemediationPlanner.RESUME_LIMIT.toMinutes() + "m was found and not carried out; the pod is"
                            + " judged afresh", dump, pass.now));
                }
            }
        }
    }

    private void evict(Pass pass, RemediationPlanner.Decision decision, TrackedPod pod, RemediationRecord intent,
            DumpRecord dump) {
        // This process's own dump record knows why a dump is missing; the intent only names the ConfigMap.
        DumpRecord own = diagnostics.dumpOf(pod);
        DumpRecord taken = own != null ? own : dump;
        Evictor.Result result = evictor.evict(pod.namespace(), pod.name(), pod.uid());
        if (result.outcome() == Evictor.Outcome.Evicted) {
            reports.evictionRequested(pass.policy, pod, clock.millis());
        }
        pass.tried.add(pod.uid());
        pass.records.remove(intent);
        pass.restarts += outcomes.apply(pass.policy, decision, pod, result, taken, pass.records, pass.now);
        if (result.outcome() == Evictor.Outcome.Evicted) {
            String missing = Records.missingDump(taken);
            reports.alert(pass.policy, pass.parsed, Notification.Kind.PodRestarted, decision, pass.judged.get(decision.pod()), taken,
                    "Restarted through the Eviction API before the projected OOM" + (missing.isEmpty() ? "" : "; " + missing));
        }
        pass.recheck |= result.outcome() != Evictor.Outcome.Evicted && result.outcome() != Evictor.Outcome.AlreadyGone;
    }
}
