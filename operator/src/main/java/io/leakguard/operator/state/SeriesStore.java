package io.leakguard.operator.state;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.series.PodSeries;

/**
 * The history of every tracked pod, one per policy, pod and life (the key is the caller's: one per
 * policy and pod). A sample from a new life (a new uid, a container restart, a new process) replaces the
 * old history instead of extending it.
 */
@Singleton
public class SeriesStore {

    private final ConcurrentHashMap<String, PodHistory> byPod = new ConcurrentHashMap<>();

    /** Adds a sample to the pod's current series, starting a new one for a new life or bucket width. */
    public PodHistory record(String podKey, String lifeKey, long lifeStartMillis, long bucketMillis, int capacity,
            long timeMillis, Gauges gauges) {
        PodHistory history = byPod.compute(podKey, (key, current) -> current != null
                && current.series().lifeKey().equals(lifeKey) && current.series().bucketMillis() == bucketMillis
                && current.series().capacity() == capacity ? current
                        : new PodHistory(new PodSeries(lifeKey, lifeStartMillis, bucketMillis, capacity)));
        synchronized (history.series()) {
            history.series().add(timeMillis, gauges);
        }
        return history;
    }

    public Optional<PodHistory> history(String podKey) {
        return Optional.ofNullable(byPod.get(podKey));
    }

    /** Drops the histories of pods no policy watches any more. */
    public void retainOnly(Set<String> podKeys) {
        byPod.keySet().retainAll(podKeys);
    }

    public int size() {
        return byPod.size();
    }
}
