package io.leakguard.operator.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.state.VerdictTransition;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Kubernetes Events for verdict transitions, on the pod and on its policy: LeakSuspected, LeakDetected,
 * and LeakCleared when a Suspect or Leaking pod turns Healthy again. LeakSuspected and LeakCleared only
 * inform, and share a budget per namespace ({@link EventBudget}: 5 at once, then one a minute) and one
 * for the whole operator (50 at once, then one a second); LeakDetected is always recorded.
 */
@Singleton
public class VerdictEvents {

    static final int BURST = 5;
    static final Duration REFILL = Duration.ofMinutes(1);
    static final int OPERATOR_BURST = 50;
    static final Duration OPERATOR_REFILL = Duration.ofSeconds(1);

    private final KubernetesEvents events;
    private final Clock clock;
    private final MeterRegistry meters;
    private final EventBudget budget = new EventBudget(BURST, REFILL);
    private final EventBudget operatorBudget = new EventBudget(OPERATOR_BURST, OPERATOR_REFILL);

    public VerdictEvents(KubernetesEvents events, Clock clock, MeterRegistry meters) {
        this.events = events;
        this.clock = clock;
        this.meters = meters;
    }

    /** The Event's reason for a transition, or null when it deserves none. Pure. */
    static String reason(VerdictKind before, VerdictKind after) {
        return switch (after) {
            case Leaking -> "LeakDetected";
            case Suspect -> "LeakSuspected";
            case Healthy -> before == VerdictKind.Suspect || before == VerdictKind.Leaking ? "LeakCleared" : null;
            case InsufficientData -> null;
        };
    }

    void on(@Observes VerdictTransition transition) {
        String reason = reason(transition.before(), transition.verdict().kind());
        if (reason == null) {
            return;
        }
        Instant now = clock.instant();
        if (!"LeakDetected".equals(reason) && !(budget.tryTake(transition.pod().namespace(), now)
                && operatorBudget.tryTake("", now))) {
            meters.counter("leakguard.events", "reason", reason, "result", "over budget").increment();
            return;
        }
        String type = transition.verdict().kind() == VerdictKind.Healthy ? "Normal" : "Warning";
        String message = transition.verdict().reason();
        events.record(transition.pod().reference(), type, reason, message);
        LeakPolicy policy = new LeakPolicy();
        policy.getMetadata().setName(transition.policy().getName());
        policy.getMetadata().setNamespace(transition.pod().namespace());
        policy.getMetadata().setUid(transition.policyUid());
        events.record(policy, type, reason, transition.pod().name() + ": " + message);
    }
}
