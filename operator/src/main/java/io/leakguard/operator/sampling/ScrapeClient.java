package io.leakguard.operator.sampling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.leakguard.operator.exposition.ExpositionParser;
import io.leakguard.operator.exposition.ParseResult;
import io.leakguard.operator.exposition.WantedNames;
import io.leakguard.operator.fairness.ByteBudget;
import io.leakguard.operator.fairness.TenantSlots;
import io.leakguard.operator.http.CappedBody;
import io.leakguard.operator.http.HttpFailure;
import io.leakguard.operator.series.Gauges;

/**
 * Reads a pod's Prometheus or OpenMetrics endpoint without blocking: bounded concurrency, a
 * per-request timeout, and a cap on the body (a larger body is abandoned mid-stream, not
 * buffered). Every failure becomes a {@link ScrapeResult} with a reason; nothing is thrown.
 */
public final class ScrapeClient {

    static final String ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.9,"
            + "application/openmetrics-text;version=0.0.1;q=0.8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private final HttpClient http;
    private final TenantSlots slots;
    private final ByteBudget budget;
    private final int maxBytes;

    public ScrapeClient(TenantSlots slots, ByteBudget budget, int maxBytes, Executor executor) {
        this.budget = budget;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.slots = slots;
        this.maxBytes = maxBytes;
    }

    /**
     * Scrapes {@code url} for a pod of {@code namespace}; completes with a result once it is read, failed or
     * timed out.
     */
    public CompletableFuture<ScrapeResult> scrape(String namespace, URI url, Duration timeout, RuntimeProfile profile) {
        String refused = slots.tryAcquire(namespace);
        if (refused != null) {
            return CompletableFuture.completedFuture(ScrapeResult.failed("throttled",
                    "scrape skipped this round: " + refused + " (slow or hanging endpoints hold them)", 0));
        }
        return scrapeInSlot(namespace, url, timeout, profile);
    }

    /** As {@link #scrape}, or null at once when the namespace has no free slot now (the caller may try again). */
    public CompletableFuture<ScrapeResult> scrapeIfSlot(String namespace, URI url, Duration timeout,
            RuntimeProfile profile) {
        return slots.tryAcquire(namespace) != null ? null : scrapeInSlot(namespace, url, timeout, profile);
    }

    private CompletableFuture<ScrapeResult> scrapeInSlot(String namespace, URI url, Duration timeout,
            RuntimeProfile profile) {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", ACCEPT).GET().build();
        WantedNames wanted = profile.parserNames();
        CappedBody[] subscriber = new CappedBody[1];
        return http.sendAsync(request, info -> subscriber[0] = new CappedBody(maxBytes, budget, namespace))
                .orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    long took = System.nanoTime() - start;
                    if (error != null) {
                        return failure(error, timeout, took);
                    }
                    CappedBody.Body body = response.body();
                    if (response.statusCode() != 200) {
                        return ScrapeResult.failed("http_error", "HTTP " + response.statusCode() + " from " + url, took);
                    }
                    if (body.overBudget) {
                        return ScrapeResult.failed("throttled", "scrape dropped this round: namespace " + namespace
                                + " already holds its share of the operator's memory for bodies in flight ("
                                + (budget.perTenant() >> 20) + " MiB)", took);
                    }
                    if (body.truncated) {
                        return ScrapeResult.failed("too_large", "response larger than " + maxBytes
                                + " bytes; not parsed (raise leakguard.scrape.max-bytes if this is expected)", took);
                    }
                    ParseResult parsed = ExpositionParser.parse(new String(body.bytes, 0, body.length, StandardCharsets.UTF_8),
                            wanted);
                    Gauges reading = profile.read(parsed.samples());
                    if (reading.empty()) {
                        String why = parsed.clean() ? "" : "; " + parsed.malformedLines() + " malformed lines, first at "
                                + parsed.firstProblem();
                        return ScrapeResult.failed(parsed.clean() ? "no_gauges" : "unparsable",
                                "none of the expected gauges found (" + profile.describe() + ")" + why, took);
                    }
                    return ScrapeResult.ok(reading, took);
                })
                .whenComplete((result, error) -> {
                    if (subscriber[0] != null) {
                        subscriber[0].release();
                    }
                    slots.release(namespace);
                });
    }

    private static ScrapeResult failure(Throwable error, Duration timeout, long took) {
        Throwable cause = HttpFailure.cause(error);
        if (HttpFailure.isTimeout(cause)) {
            return ScrapeResult.failed("timeout", "no answer within " + timeout.toMillis() + "ms", took);
        }
        if (HttpFailure.isRefused(cause)) {
            return ScrapeResult.failed("unreachable", "connection refused or unreachable", took);
        }
        return ScrapeResult.failed("unreachable", cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), took);
    }
}
