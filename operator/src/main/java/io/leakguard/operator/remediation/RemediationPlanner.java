package io.leakguard.operator.remediation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.leakguard.api.v1alpha1.RemediationAction;

/**
 * Decides, for the Leaking pods of one policy, which may be evicted now. Pure: a snapshot in,
 * decisions out, no client and no clock. The invariants, each with a test:
 * <ul>
 * <li>dry run or action None never evicts;</li>
 * <li>never more than {@code maxConcurrent} evictions in flight (evicted, replacement not Ready);</li>
 * <li>{@code cooldown} per workload, {@code maxPerHour} per policy;</li>
 * <li>only controller-owned pods (ReplicaSet, StatefulSet, DaemonSet); a bare pod is alert-only;</li>
 * <li>never a workload's last Ready replica;</li>
 * <li>a pod already evicted is never evicted again, even by a new planner built from status (it gets
 * no decision at all).</li>
 * </ul>
 * PodDisruptionBudgets are left to the API server, which refuses such evictions with 429.
 */
public final class RemediationPlanner {

    static final Set<String> RESTARTABLE = Set.of("ReplicaSet", "StatefulSet", "DaemonSet");
    /** An eviction still counts as in flight this long at most, so a stuck record cannot block forever. */
    static final Duration IN_FLIGHT_LIMIT = Duration.ofHours(1);

    private RemediationPlanner() {
    }

    public record Settings(RemediationAction action, boolean dryRun, int maxConcurrent, Duration cooldown,
            int maxPerHour) {
    }

    /** A pod of one of the workloads concerned, as the informer sees it. */
    public record PodState(String name, String uid, String workload, boolean ready, boolean terminating,
            Instant created) {
    }

    /** A past eviction of this policy, from its status. */
    public record PastEviction(String pod, String podUid, String workload, Instant time) {
    }

    public enum Kind {
        Evict, Wait, AlertOnly, DryRun
    }

    public record Decision(String pod, String podUid, String workload, Kind kind, String reason) {
    }

    /** What to do with an eviction intent found in status that this process did not write. */
    public enum Resume {
        /** The pod is gone or terminating: the eviction happened; record it as done. */
        Complete,
        /** The pod is still running: the writer stopped before evicting; evict it now, once. */
        Evict,
        /** Not now: evicting would take the workload's last Ready replica. */
        Wait,
        /** Too old to act on: drop it, and let the pod be judged afresh. */
        Abandon
    }

    /** How long an interrupted eviction intent may still be carried out. */
    static final Duration RESUME_LIMIT = Duration.ofMinutes(5);

    /**
     * Decides the fate of an eviction intent left in status by an operator process that stopped
     * between recording it and recording the eviction's result (killed, or a leader that lost its
     * lease). The intent was planned under every budget, so it is carried out, but only while it is
     * recent and the pod is not its workload's last Ready replica; and a pod that is already going is
     * never evicted again.
     */
    public static Resume resume(PastEviction intent, List<PodState> pods, Instant now) {
        PodState pod = pods.stream().filter(p -> p.uid().equals(intent.podUid())).findFirst().orElse(null);
        if (pod == null || pod.terminating()) {
            return Resume.Complete;
        }
        if (intent.time().plus(RESUME_LIMIT).isBefore(now)) {
            return Resume.Abandon;
        }
        long otherReady = pods.stream().filter(p -> p.ready() && !p.terminating() && !p.uid().equals(pod.uid())
                && p.workload() != null && p.workload().equals(pod.workload())).count();
        return pod.ready() && otherReady < 1 ? Resume.Wait : Resume.Evict;
    }

    /**
     * @param leaking the Leaking pods, most urgent first
     * @param pods every pod of their workloads (including the Leaking ones)
     */
    public static List<Decision> plan(Settings settings, List<PodState> leaking, List<PodState> pods,
            List<PastEviction> history, Instant now) {
        Map<String, PodState> byUid = pods.stream().collect(Collectors.toMap(PodState::uid, p -> p, (a, b) -> a));
        Set<String> evictedUids = history.stream().map(PastEviction::podUid).collect(Collectors.toSet());
        int inFlight = (int) history.stream().filter(e -> inFlight(e, pods, byUid, now)).count();
        int lastHour = (int) history.stream().filter(e -> e.time().isAfter(now.minus(Duration.ofHours(1)))).count();
        Map<String, Instant> lastByWorkload = new HashMap<>();
        history.forEach(e -> lastByWorkload.merge(String.valueOf(e.workload()), e.time(), (a, b) -> a.isAfter(b) ? a : b));
        Map<String, Integer> readyByWorkload = new HashMap<>();
        pods.stream().filter(p -> p.ready() && !p.terminating() && p.workload() != null)
                .forEach(p -> readyByWorkload.merge(p.workload(), 1, Integer::sum));

        List<Decision> decisions = new ArrayList<>();
        for (PodState pod : leaking) {
            Decision decision;
            if (evictedUids.contains(pod.uid())) {
                // Evicted already and going: nothing to do, and nothing to tell (a "held back" alert
                // about a pod that was just restarted would mislead).
                continue;
            }
            if (settings.action() == RemediationAction.None) {
                decision = decide(pod, Kind.AlertOnly, "remediation.action is None: LeakGuard only reports");
            } else if (pod.workload() == null) {
                decision = decide(pod, Kind.AlertOnly, "a bare pod: no controller would recreate it, so it is not evicted");
            } else if (!RESTARTABLE.contains(pod.workload().substring(0, pod.workload().indexOf('/')))) {
                decision = decide(pod, Kind.AlertOnly, pod.workload() + " is not restarted by eviction (only"
                        + " ReplicaSet, StatefulSet and DaemonSet pods are)");
            } else if (pod.ready() && readyByWorkload.getOrDefault(pod.workload(), 0) <= 1) {
                decision = decide(pod, Kind.Wait, "the last Ready replica of " + pod.workload());
            } else if (!pod.ready() && readyByWorkload.getOrDefault(pod.workload(), 0) < 1) {
                decision = decide(pod, Kind.Wait, pod.workload() + " has no Ready replica to take over");
            } else if (inFlight >= settings.maxConcurrent()) {
                decision = decide(pod, Kind.Wait, inFlight + " eviction(s) in flight (remediation.maxConcurrent "
                        + settings.maxConcurrent() + ")");
            } else if (lastByWorkload.containsKey(pod.workload())
                    && lastByWorkload.get(pod.workload()).plus(settings.cooldown()).isAfter(now)) {
                Duration ago = Duration.between(lastByWorkload.get(pod.workload()), now);
                decision = decide(pod, Kind.Wait, pod.workload() + " was restarted " + ago.toMinutes()
                        + "m ago (remediation.cooldown " + settings.cooldown().toMinutes() + "m)");
            } else if (lastHour >= settings.maxPerHour()) {
                decision = decide(pod, Kind.Wait, lastHour + " restarts in the last hour (remediation.maxPerHour "
                        + settings.maxPerHour() + ")");
            } else if (settings.dryRun()) {
                decision = decide(pod, Kind.DryRun, "would restart (remediation.dryRun is true)");
            } else {
                decision = decide(pod, Kind.Evict, "restarting before the projected OOM");
            }
            if (decision.kind() == Kind.Evict || decision.kind() == Kind.DryRun) {
                // Later candidates in this plan see this one as done: dry run spends the budget it would have.
                inFlight++;
                lastHour++;
                lastByWorkload.put(pod.workload(), now);
                if (pod.ready()) {
                    readyByWorkload.merge(pod.workload(), -1, Integer::sum);
                }
            }
            decisions.add(decision);
        }
        return decisions;
    }

    /** In flight: the evicted pod still exists, or its workload has a pod created since that is not Ready yet. */
    static boolean inFlight(PastEviction eviction, List<PodState> pods, Map<String, PodState> byUid, Instant now) {
        if (eviction.time().plus(IN_FLIGHT_LIMIT).isBefore(now)) {
            return false;
        }
        if (byUid.containsKey(eviction.podUid())) {
            return true;
        }
        return pods.stream().anyMatch(p -> p.workload() != null && p.workload().equals(eviction.workload())
                && !p.ready() && p.created() != null && !p.created().isBefore(eviction.time()));
    }

    private static Decision decide(PodState pod, Kind kind, String reason) {
        return new Decision(pod.name(), pod.uid(), pod.workload(), kind, reason);
    }
}
