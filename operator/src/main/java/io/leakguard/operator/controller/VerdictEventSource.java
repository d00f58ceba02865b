package io.leakguard.operator.controller;

import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.state.StatusRefresh;
import io.leakguard.operator.state.VerdictBoard;

/**
 * The pods' latest judgements as the reconciler's secondary resources ({@code context.getSecondaryResources(
 * PodJudgement.class)}), and the wake-up of a policy's reconcile when what its status shows has changed, so
 * that status is written only by reconcile().
 */
@Singleton
public class VerdictEventSource extends AbstractEventSource<PodJudgement, LeakPolicy> {

    private final VerdictBoard board;

    public VerdictEventSource(VerdictBoard board) {
        super(PodJudgement.class, "verdicts");
        this.board = board;
    }

    void on(@Observes StatusRefresh refresh) {
        if (isRunning() && getEventHandler() != null) {
            getEventHandler().handleEvent(new Event(refresh.policy()));
        }
    }

    @Override
    public Set<PodJudgement> getSecondaryResources(LeakPolicy primary) {
        return Set.copyOf(board.judgements(ResourceID.fromResource(primary)));
    }
}
