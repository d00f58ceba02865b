package io.leakguard.operator.sampling;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Where a round's readings come from: the pods' own endpoints, or the team's Prometheus. */
interface PodReader {

    /** Completes with one result per pod name of the round; never exceptionally. */
    CompletableFuture<Map<String, ScrapeResult>> read(Round round);
}
