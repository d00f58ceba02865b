package io.leakguard.operator.sampling;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Event;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.state.StatusRefresh;
import io.leakguard.operator.state.VerdictBoard;
import io.leakguard.operator.state.VerdictTransition;
import io.leakguard.operator.tracking.PodRegistry;
import io.leakguard.operator.tracking.TrackedPod;
import org.jboss.logging.Logger;

/** The sampler's one way out: the board, a transition per pod whose verdict changed kind, and status refreshes. */
final class VerdictPublisher {

    private static final Logger LOG = Logger.getLogger(VerdictPublisher.class);
    /** Status is refreshed at once when a verdict changes kind, else at most this often. */
    static final long STATUS_REFRESH_MILLIS = 60_000;

    private final VerdictBoard board;
    private final PodRegistry registry;
    private final Clock clock;
    private final Event<VerdictTransition> transitions;
    private final Event<StatusRefresh> refresh;
    private final Map<ResourceID, Long> lastStatusRefresh = new ConcurrentHashMap<>();
    private final Map<String, VerdictKind> lastKind = new ConcurrentHashMap<>();

    VerdictPublisher(VerdictBoard board, PodRegistry registry, Clock clock, Event<VerdictTransition> transitions,
            Event<StatusRefresh> refresh) {
        this.board = board;
        this.registry = registry;
        this.clock = clock;
        this.transitions = transitions;
        this.refresh = refresh;
    }

    /**
     * Puts the judgements on the board and fires a {@link VerdictTransition} for each pod whose verdict
     * changed kind; asks for a status refresh on a change, or once a minute.
     */
    void publish(ResourceID policy, Policy spec, List<TrackedPod> pods, List<PodJudgement> judgements) {
        boolean kindChanged = false;
        Map<String, TrackedPod> byName = new HashMap<>();
        pods.forEach(p -> byName.put(p.name(), p));
        for (PodJudgement judgement : judgements) {
            board.put(policy, judgement);
            TrackedPod pod = byName.get(judgement.pod());
            VerdictKind kind = judgement.verdict().kind();
            VerdictKind before = lastKind.put(policy + "/" + pod.name(), kind);
            if (before != kind) {
                kindChanged = true;
                LOG.infof("verdict changed: namespace=%s policy=%s pod=%s from=%s to=%s reason=%s", pod.namespace(),
                        policy.getName(), pod.name(), before, kind, judgement.verdict().reason());
                transitions.fire(new VerdictTransition(policy, registry.uid(policy), spec, pod, before,
                        judgement.verdict()));
            }
        }
        long now = clock.millis();
        if (kindChanged || now - lastStatusRefresh.getOrDefault(policy, 0L) >= STATUS_REFRESH_MILLIS) {
            lastStatusRefresh.put(policy, now);
            refresh.fire(new StatusRefresh(policy));
        }
    }

    /** Forgets what it kept of policies and pods no longer watched. */
    void retain(Set<ResourceID> policies, Set<String> podsByPolicy) {
        lastStatusRefresh.keySet().retainAll(policies);
        lastKind.keySet().retainAll(podsByPolicy);
    }
}
