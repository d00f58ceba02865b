package io.leakguard.operator.sampling;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.leakguard.api.v1alpha1.Scheme;
import io.leakguard.operator.tracking.TrackedPod;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Scrape mode: each pod's own metrics endpoint, at its pod IP. */
final class ScrapeReader implements PodReader {

    private final ScrapeClient scrapes;
    private final MeterRegistry meters;
    private final Timer scrapeTimer;

    ScrapeReader(ScrapeClient scrapes, MeterRegistry meters) {
        this.scrapes = scrapes;
        this.meters = meters;
        this.scrapeTimer = Timer.builder("leakguard.scrape.duration").description("Time to read one pod's metrics")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /**
     * Reads the round's pods through the scrape slots: as many at once as the namespace's share allows, the
     * next as soon as one ends, until the round's deadline (its interval less its timeout). A pod whose turn
     * has not come by then is "throttled" for this round; its history is kept. (Firing every pod at once
     * and refusing those beyond the share left all but eight pods of a namespace unread.)
     */
    @Override
    public CompletableFuture<Map<String, ScrapeResult>> read(Round round) {
        long deadline = System.nanoTime() + Math.max(1_000, round.settings().intervalMillis() - round.timeout().toMillis())
                * 1_000_000L;
        return new Dispatch(round, deadline).start();
    }

    /** One round's queue of pods waiting for a scrape slot. */
    private final class Dispatch {
        private final Round round;
        private final long deadlineNanos;
        private final Deque<TrackedPod> waiting = new ArrayDeque<>();
        private final Map<String, ScrapeResult> results = new ConcurrentHashMap<>();
        private final CompletableFuture<Map<String, ScrapeResult>> done = new CompletableFuture<>();
        private int pending;
        private boolean retryScheduled;

        Dispatch(Round round, long deadlineNanos) {
            this.round = round;
            this.deadlineNanos = deadlineNanos;
        }

        CompletableFuture<Map<String, ScrapeResult>> start() {
            synchronized (this) {
                for (TrackedPod pod : round.pods()) {
                    if (pod.targetProblem() != null) {
                        results.put(pod.name(), ScrapeResult.failed("no_target", pod.targetProblem(), 0));
                    } else {
                        waiting.add(pod);
                    }
                }
                pending = waiting.size();
            }
            if (pending == 0) {
                done.complete(new HashMap<>(results));
            } else {
                pump();
            }
            return done;
        }

        private void pump() {
            List<TrackedPod> expired = new ArrayList<>();
            synchronized (this) {
                retryScheduled = false;
                while (!waiting.isEmpty()) {
                    TrackedPod pod = waiting.peek();
                    CompletableFuture<ScrapeResult> read = scrapeIfSlot(round, pod);
                    if (read == null) {
                        if (System.nanoTime() > deadlineNanos) {
                            expired.addAll(waiting);
                            waiting.clear();
                        } else if (!retryScheduled) {
                            retryScheduled = true;
                            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(this::pump);
                        }
                        break;
                    }
                    waiting.poll();
                    read.whenComplete((result, error) -> finished(pod, result != null ? result
                            : ScrapeResult.failed("internal", "scrape failed: " + error, 0)));
                }
            }
            for (TrackedPod pod : expired) {
                meters.counter("leakguard.scrapes", "outcome", "throttled").increment();
                finished(pod, ScrapeResult.failed("throttled", "not scraped this round: namespace " + pod.namespace()
                        + "'s scrape slots were busy until the round's deadline (slow or hanging endpoints hold them)", 0));
            }
        }

        private void finished(TrackedPod pod, ScrapeResult result) {
            results.put(pod.name(), result);
            boolean last;
            synchronized (this) {
                last = --pending == 0;
            }
            if (last) {
                done.complete(new HashMap<>(results));
            } else {
                pump();
            }
        }
    }

    private CompletableFuture<ScrapeResult> scrapeIfSlot(Round round, TrackedPod pod) {
        URI url = URI.create((round.policy().sampling().scheme() == Scheme.HTTPS ? "https" : "http") + "://"
                + hostPort(pod) + round.policy().sampling().path());
        CompletableFuture<ScrapeResult> read = scrapes.scrapeIfSlot(pod.namespace(), url, round.timeout(), round.profile());
        return read == null ? null : read.whenComplete((result, error) -> {
            if (result != null) {
                meters.counter("leakguard.scrapes", "outcome", result.outcome()).increment();
                scrapeTimer.record(result.durationNanos(), TimeUnit.NANOSECONDS);
            }
        });
    }

    static String hostPort(TrackedPod pod) {
        String ip = pod.podIp().contains(":") ? "[" + pod.podIp() + "]" : pod.podIp();
        return ip + ":" + pod.port();
    }

}
