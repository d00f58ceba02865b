package io.leakguard.operator.detection;

import java.util.Set;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.leakguard.api.v1alpha1.LeakPolicy;

/**
 * Wakes the reconciler of a policy when the sampling loop changed what its status should show,
 * so that status is still written only by reconcile().
 */
@Singleton
public class VerdictEventSource extends AbstractEventSource<PodJudgement, LeakPolicy> {

    public VerdictEventSource() {
        super(PodJudgement.class, "verdicts");
    }

    public void verdictsChanged(ResourceID policy) {
        if (isRunning() && getEventHandler() != null) {
            getEventHandler().handleEvent(new Event(policy));
        }
    }

    @Override
    public Set<PodJudgement> getSecondaryResources(LeakPolicy primary) {
        return Set.of();
    }
}
