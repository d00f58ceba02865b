package io.leakguard.operator.notify;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.state.VerdictTransition;

/**
 * Kubernetes Events for verdict transitions, on the pod and on its policy: LeakSuspected, LeakDetected,
 * and LeakCleared when a Suspect or Leaking pod turns Healthy again.
 */
@Singleton
public class VerdictEvents {

    private final KubernetesEvents events;

    public VerdictEvents(KubernetesEvents events) {
        this.events = events;
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
