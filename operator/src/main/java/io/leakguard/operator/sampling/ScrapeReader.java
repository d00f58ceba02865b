package io.leakguard.operator.sampling;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

    @Override
    public CompletableFuture<Map<String, ScrapeResult>> read(Round round) {
        Map<String, CompletableFuture<ScrapeResult>> reads = new HashMap<>();
        for (TrackedPod pod : round.pods()) {
            reads.put(pod.name(), scrape(round, pod));
        }
        return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, ScrapeResult> results = new HashMap<>();
            reads.forEach((pod, read) -> results.put(pod, read.join()));
            return results;
        });
    }

    private CompletableFuture<ScrapeResult> scrape(Round round, TrackedPod pod) {
        if (pod.targetProblem() != null) {
            return CompletableFuture.completedFuture(ScrapeResult.failed("no_target", pod.targetProblem(), 0));
        }
        URI url = URI.create((round.policy().sampling().scheme() == Scheme.HTTPS ? "https" : "http") + "://"
                + hostPort(pod) + round.policy().sampling().path());
        return scrapes.scrape(pod.namespace(), url, round.timeout(), round.profile()).whenComplete((result, error) -> {
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
