package io.leakguard.operator.sampling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.exposition.ExpositionParser;
import io.leakguard.operator.http.HttpFailure;
import io.leakguard.operator.exposition.ParseResult;
import io.leakguard.operator.fairness.ByteBudget;
import io.leakguard.operator.fairness.TenantSlots;

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
        long start = System.nanoTime();
        String refused = slots.tryAcquire(namespace);
        if (refused != null) {
            return CompletableFuture.completedFuture(ScrapeResult.failed("throttled",
                    "scrape skipped this round: " + refused + " (slow or hanging endpoints hold them)", 0));
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", ACCEPT).GET().build();
        Set<String> wanted = profile.metricNames();
        CappedBody[] subscriber = new CappedBody[1];
        return http.sendAsync(request, info -> subscriber[0] = new CappedBody(maxBytes, budget, namespace))
                .orTimeout(timeout.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    long took = System.nanoTime() - start;
                    if (error != null) {
                        return failure(error, timeout, took);
                    }
                    Body body = response.body();
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
                            wanted::contains);
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

    /**
     * A body read up to a cap; {@code truncated} when the server had more, {@code overBudget} when the
     * operator's byte budget for bodies in flight ran out first.
     */
    public static final class Body {
        public final byte[] bytes;
        public final int length;
        public final boolean truncated;
        public final boolean overBudget;

        Body(byte[] bytes, int length, boolean truncated, boolean overBudget) {
            this.bytes = bytes;
            this.length = length;
            this.truncated = truncated;
            this.overBudget = overBudget;
        }
    }

    /**
     * Collects at most {@code cap} bytes, then cancels the stream so the rest is never read. Its buffer is
     * reserved in {@code budget} for {@code tenant} as it grows; {@link #release()} gives it back.
     */
    public static final class CappedBody implements HttpResponse.BodySubscriber<Body> {
        private final CompletableFuture<Body> result = new CompletableFuture<>();
        private final int cap;
        private final ByteBudget budget;
        private final String tenant;
        private byte[] buffer;
        private int length;
        private long reserved;
        private boolean released;
        private Flow.Subscription subscription;

        public CappedBody(int cap) {
            this(cap, ByteBudget.unlimited(), "");
        }

        public CappedBody(int cap, ByteBudget budget, String tenant) {
            this.cap = cap;
            this.budget = budget;
            this.tenant = tenant;
        }

        @Override
        public CompletionStage<Body> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (!grow(Math.min(cap, 8192))) {
                subscription.cancel();
                result.complete(new Body(new byte[0], 0, false, true));
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                int n = item.remaining();
                if (length + n > cap) {
                    subscription.cancel();
                    result.complete(new Body(buffer, length, true, false));
                    return;
                }
                if (length + n > buffer.length
                        && !grow(Math.min(cap, Math.max(length + n, buffer.length * 2)))) {
                    subscription.cancel();
                    result.complete(new Body(buffer, length, false, true));
                    return;
                }
                item.get(buffer, length, n);
                length += n;
            }
            subscription.request(1);
        }

        private synchronized boolean grow(int size) {
            if (released || !budget.reserve(tenant, size - (buffer == null ? 0 : buffer.length))) {
                return false;
            }
            reserved += size - (buffer == null ? 0 : buffer.length);
            buffer = buffer == null ? new byte[size] : java.util.Arrays.copyOf(buffer, size);
            return true;
        }

        /** Gives the buffer's reservation back; call once the body has been parsed. */
        public synchronized void release() {
            if (!released) {
                released = true;
                budget.release(tenant, reserved);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(new Body(buffer, length, false, false));
        }
    }
}
