package io.leakguard.operator.policy;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.api.v1alpha1.PodCounts;

/** Builds the status a LeakPolicy should show, keeping what later stages own (risks, remediations). */
public final class LeakPolicyStatusFactory {

    public static final String READY = "Ready";
    public static final String REASON_WATCHING = "Watching";
    public static final String REASON_NO_PODS = "NoPodsMatched";
    public static final String REASON_INVALID = "InvalidSpec";
    public static final String REASON_RECONCILE_FAILED = "ReconcileFailed";

    private LeakPolicyStatusFactory() {
    }

    /** The status for a policy whose selector matched {@code matchedPods} pods, given its spec problems. */
    public static LeakPolicyStatus build(LeakPolicy policy, int matchedPods, List<String> problems, Instant now) {
        LeakPolicyStatus previous = policy.getStatus() == null ? new LeakPolicyStatus() : policy.getStatus();
        LeakPolicyStatus next = new LeakPolicyStatus();
        next.observedGeneration = policy.getMetadata().getGeneration();
        next.restarts = previous.restarts == null ? 0 : previous.restarts;
        next.atRisk = previous.atRisk == null ? new ArrayList<>() : previous.atRisk;
        next.remediations = previous.remediations == null ? new ArrayList<>() : previous.remediations;
        PodCounts counts = previous.pods == null ? new PodCounts() : previous.pods;
        next.pods = new PodCounts(matchedPods, nonNull(counts.suspect), nonNull(counts.leaking),
                nonNull(counts.insufficientData));

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

    private static int nonNull(Integer value) {
        return value == null ? 0 : value;
    }

    private static Condition condition(String type, String status, String reason, String message, LeakPolicy policy) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
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
