package io.leakguard.operator.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per namespace for the Events that only inform (a pod turning Suspect, or Healthy
 * again): {@code burst} at once, then one every {@code refill}. Ten thousand pods whose verdicts move
 * together (a deploy, a traffic swing) would otherwise write thousands of Events a minute, and one
 * namespace's storm would crowd out the rest. Events that lead to action (LeakDetected, a dump, an
 * eviction) never wait on it. Time is passed in, so the bucket is a pure value over its calls; callers
 * synchronize. Written by hand: Guava's RateLimiter reads its own clock and blocks, and what is needed
 * here is a non-blocking "may I" over the operator's clock, per key, in bounded memory.
 */
final class EventBudget {

    private static final int MAX_NAMESPACES = 10_000;

    private final double burst;
    private final double refillMillis;
    private final Map<String, double[]> buckets = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > MAX_NAMESPACES;
        }
    };

    EventBudget(int burst, Duration refill) {
        this.burst = burst;
        this.refillMillis = refill.toMillis();
    }

    /** Takes one token from the namespace's bucket at {@code now}; false when it is empty. */
    synchronized boolean tryTake(String namespace, Instant now) {
        long millis = now.toEpochMilli();
        double[] bucket = buckets.computeIfAbsent(namespace, k -> new double[] {burst, millis});
        bucket[0] = Math.min(burst, bucket[0] + Math.max(0, millis - bucket[1]) / refillMillis);
        bucket[1] = Math.max(bucket[1], millis);
        if (bucket[0] < 1) {
            return false;
        }
        bucket[0] -= 1;
        return true;
    }
}
