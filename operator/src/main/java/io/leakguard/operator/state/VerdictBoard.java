package io.leakguard.operator.state;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.VerdictKind;

/** The latest judgement of every pod, per policy. The sampling loop writes it; the reconciler reads it for status. */
@Singleton
public class VerdictBoard {

    private final Map<ResourceID, Map<String, PodJudgement>> byPolicy = new ConcurrentHashMap<>();
    /** When each pod's current run of Leaking verdicts began: the sample that crossed the line. */
    private final Map<ResourceID, Map<String, Long>> leakingSince = new ConcurrentHashMap<>();

    public void put(ResourceID policy, PodJudgement judgement) {
        byPolicy.computeIfAbsent(policy, k -> new ConcurrentHashMap<>()).put(judgement.pod(), judgement);
        Map<String, Long> since = leakingSince.computeIfAbsent(policy, k -> new ConcurrentHashMap<>());
        if (judgement.verdict().kind() == VerdictKind.Leaking) {
            since.putIfAbsent(judgement.pod(), judgement.atMillis());
        } else {
            since.remove(judgement.pod());
        }
    }

    /** When the pod was first judged Leaking in its current run of Leaking verdicts, or null. */
    public Long leakingSince(ResourceID policy, String pod) {
        return leakingSince.getOrDefault(policy, Map.of()).get(pod);
    }

    /** Every judgement of a policy's pods. */
    public List<PodJudgement> judgements(ResourceID policy) {
        return List.copyOf(byPolicy.getOrDefault(policy, Map.of()).values());
    }

    /** The judgements of the given pods; pods never judged yet are absent. */
    public List<PodJudgement> judgements(ResourceID policy, Collection<String> pods) {
        Map<String, PodJudgement> judged = byPolicy.getOrDefault(policy, Map.of());
        return pods.stream().map(judged::get).filter(Objects::nonNull).toList();
    }

    public void retainPods(ResourceID policy, Set<String> pods) {
        Map<String, PodJudgement> judged = byPolicy.get(policy);
        if (judged != null) {
            judged.keySet().retainAll(pods);
        }
        Map<String, Long> since = leakingSince.get(policy);
        if (since != null) {
            since.keySet().retainAll(pods);
        }
    }

    public void forget(ResourceID policy) {
        byPolicy.remove(policy);
        leakingSince.remove(policy);
    }

    /** Count of pods per verdict across all policies (a pod in two policies counts twice). */
    public long count(VerdictKind kind) {
        return byPolicy.values().stream().flatMap(m -> m.values().stream())
                .filter(j -> j.verdict().kind() == kind).count();
    }
}
