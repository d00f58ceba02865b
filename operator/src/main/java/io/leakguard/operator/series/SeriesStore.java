package io.leakguard.operator.series;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

/**
 * The series of every tracked pod, one per pod and life. A sample from a new life (a new uid, a
 * container restart, a new process) replaces the old series instead of extending it.
 */
@Singleton
public class SeriesStore {

    private final ConcurrentHashMap<String, PodSeries> byPod = new ConcurrentHashMap<>();

    /** Adds a sample to the pod's current series, starting a new one for a new life or bucket width. */
    public PodSeries record(String podKey, String lifeKey, long lifeStartMillis, long bucketMillis, int capacity,
            long timeMillis, double threads, double heap, double memory) {
        PodSeries series = byPod.compute(podKey, (key, current) -> current != null && current.lifeKey().equals(lifeKey)
                && current.bucketMillis() == bucketMillis && current.capacity() == capacity ? current
                        : new PodSeries(lifeKey, lifeStartMillis, bucketMillis, capacity));
        synchronized (series) {
            series.add(timeMillis, threads, heap, memory);
        }
        return series;
    }

    public Optional<PodSeries> series(String podKey) {
        return Optional.ofNullable(byPod.get(podKey));
    }

    /** Drops the series of pods no policy watches any more. */
    public void retainOnly(Set<String> podKeys) {
        byPod.keySet().retainAll(podKeys);
    }

    public int size() {
        return byPod.size();
    }
}
