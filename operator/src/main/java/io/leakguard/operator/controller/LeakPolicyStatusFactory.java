package io.leakguard.operator.controller;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.api.v1alpha1.PodCounts;
import io.leakguard.api.v1alpha1.PodRisk;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.spec.GoDuration;
import io.leakguard.operator.text.StatusText;

/** Builds the status a LeakPolicy should show, keeping what later stages own (risks, remediations). */
public final class LeakPolicyStatusFactory {

    public static final String READY = "Ready";
    public static final String REASON_WATCHING = "Watching";
    public static final String REASON_NO_PODS = "NoPodsMatched";
    public static final String REASON_INVALID = "InvalidSpec";
    public static final String REASON_RECONCILE_FAILED = "ReconcileFailed";

    private LeakPolicyStatusFactory() {
    }

    /** How many pods status lists in atRisk. */
    public static final int AT_RISK = 5;

    /** The status for a policy whose selector matched {@code matchedPods} pods, given its spec problems. */
    public static LeakPolicyStatus build(LeakPolicy policy, int matchedPods, List<String> problems, Instant now) {
        return build(policy, matchedPods, List.of(), problems, now);
    }

    /** The status for a policy, with the latest judgement of its pods. */
    public static LeakPolicyStatus build(LeakPolicy policy, int matchedPods, List<PodJudgement> judgements,
            List<String> problems, Instant now) {
        LeakPolicyStatus previous = policy.getStatus() == null ? new LeakPolicyStatus() : policy.getStatus();
        LeakPolicyStatus next = new LeakPolicyStatus();
        next.observedGeneration = policy.getMetadata().getGeneration();
        next.restarts = previous.restarts == null ? 0 : previous.restarts;
        next.atRisk = atRisk(judgements);
        next.remediations = previous.remediations == null ? new ArrayList<>() : previous.remediations;
        next.dumps = previous.dumps == null ? new ArrayList<>() : previous.dumps;
        Map<VerdictKind, Integer> counts = new EnumMap<>(VerdictKind.class);
        judgements.forEach(j -> counts.merge(j.verdict().kind(), 1, Integer::sum));
        next.pods = new PodCounts(matchedPods, counts.getOrDefault(VerdictKind.Suspect, 0),
                counts.getOrDefault(VerdictKind.Leaking, 0), counts.getOrDefault(VerdictKind.InsufficientData, 0));

        Condition ready;
        if (!problems.isEmpty()) {
            ready = condition(READY, "False", REASON_INVALID,
                    "LeakPolicy cannot be acted on: " + String.join("; ", problems), policy);
        } else if (matchedPods == 0) {
            ready = condition(READY, "True", REASON_NO_PODS,
                    "The selector matches no running pod in namespace " + policy.getMetadata().getNamespace(), policy);
        } else {
            ready = condition(READY, "True", REASON_WATCHING, "Watching " + matchedPods
                    + (matchedPods == 1 ? " pod" : " pods"), policy);
        }
        next.conditions = merge(previous.conditions, ready, now);
        return next;
    }

    /** The previous status with Ready=False saying why the last reconcile failed; it is retried. */
    public static LeakPolicyStatus failed(LeakPolicy policy, Exception error, Instant now) {
        LeakPolicyStatus previous = policy.getStatus() == null ? new LeakPolicyStatus() : policy.getStatus();
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        Condition ready = condition(READY, "False", REASON_RECONCILE_FAILED,
                "The last reconcile failed and will be retried: " + message, policy);
        previous.conditions = merge(previous.conditions, ready, now);
        return previous;
    }

    /** New dump records first, then those status already had (they survive an operator restart), at most 10. */
    public static List<DumpRecord> mergeDumps(List<DumpRecord> fresh, List<DumpRecord> previous) {
        Map<String, DumpRecord> merged = new LinkedHashMap<>();
        for (DumpRecord record : fresh) {
            merged.putIfAbsent(record.pod + "@" + record.time, record);
        }
        for (DumpRecord record : previous == null ? List.<DumpRecord>of() : previous) {
            merged.putIfAbsent(record.pod + "@" + record.time, record);
        }
        return merged.values().stream().sorted(Comparator.comparing((DumpRecord r) -> r.time == null ? "" : r.time)
                .reversed()).limit(10).collect(Collectors.toCollection(ArrayList::new));
    }

    /** The worst pods first: Leaking, then Suspect, then those without data; sooner OOM first within each. */
    static List<PodRisk> atRisk(List<PodJudgement> judgements) {
        return judgements.stream()
                .filter(j -> j.verdict().kind() != VerdictKind.Healthy)
                .sorted(Comparator.comparingInt((PodJudgement j) -> -j.verdict().kind().severity())
                        .thenComparingDouble(j -> j.verdict().projectedOomSeconds())
                        .thenComparing(PodJudgement::pod))
                .limit(AT_RISK)
                .map(LeakPolicyStatusFactory::risk)
                .collect(Collectors.toCollection(ArrayList::new));
    }

    private static PodRisk risk(PodJudgement judgement) {
        Verdict v = judgement.verdict();
        PodRisk risk = new PodRisk();
        risk.pod = judgement.pod();
        risk.verdict = v.kind().name();
        risk.threadsPerHour = rounded(v.threadsPerHour());
        risk.heapBytesPerHour = rounded(v.heapBytesPerHour());
        risk.projectedOomIn = Double.isInfinite(v.projectedOomSeconds()) || Double.isNaN(v.projectedOomSeconds()) ? null
                : GoDuration.format(Duration.ofMinutes(Math.round(v.projectedOomSeconds() / 60.0)));
        risk.reason = StatusText.clean(v.reason(), StatusText.REASON);
        return risk;
    }

    /** Three significant digits: enough to read, and stable enough not to rewrite status on every sample. */
    private static Double rounded(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return null;
        }
        if (value == 0) {
            return 0.0;
        }
        return new BigDecimal(value).round(new MathContext(3, RoundingMode.HALF_EVEN)).doubleValue();
    }

    private static Condition condition(String type, String status, String reason, String message, LeakPolicy policy) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(StatusText.clean(message, StatusText.MESSAGE))
                .withObservedGeneration(policy.getMetadata().getGeneration()).build();
    }

    /** Replaces the condition of the same type; its transition time moves only when its status does. */
    private static List<Condition> merge(List<Condition> previous, Condition updated, Instant now) {
        List<Condition> merged = new ArrayList<>();
        String transition = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        boolean replaced = false;
        for (Condition old : previous == null ? List.<Condition>of() : previous) {
            if (old.getType().equals(updated.getType())) {
                updated.setLastTransitionTime(old.getStatus().equals(updated.getStatus())
                        && old.getLastTransitionTime() != null ? old.getLastTransitionTime() : transition);
                merged.add(updated);
                replaced = true;
            } else {
                merged.add(old);
            }
        }
        if (!replaced) {
            updated.setLastTransitionTime(transition);
            merged.add(updated);
        }
        return merged;
    }
}
