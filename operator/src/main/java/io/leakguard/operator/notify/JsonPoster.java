package io.leakguard.operator.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.leakguard.operator.http.EgressRules;
import io.leakguard.operator.http.ResolvedEgress;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

/**
 * POSTs JSON to a webhook (Slack, Alertmanager): the egress rules checked on the resolved address first, then
 * up to {@value #ATTEMPTS} attempts, retrying 429 (after its Retry-After), 5xx and I/O errors with backoff.
 * Outcomes are counted per sink; a refusal by the egress rules is never retried.
 */
final class JsonPoster {

    private static final Logger LOG = Logger.getLogger(JsonPoster.class);
    static final int ATTEMPTS = 4;

    private final MeterRegistry meters;
    private final EgressRules egress;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "leakguard-poster");
        thread.setDaemon(true);
        return thread;
    });
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "leakguard-poster-http");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).executor(httpThreads).build();
    /** First retry delay. */
    Duration backoff = Duration.ofSeconds(1);

    JsonPoster(MeterRegistry meters, EgressRules egress) {
        this.meters = meters;
        this.egress = egress;
    }

    /** {@code where} names the target in logs and never holds a secret. */
    CompletableFuture<Void> post(URI uri, String payload, String sink, String where) {
        return post(uri, payload, sink, where, 1);
    }

    private CompletableFuture<Void> post(URI uri, String payload, String sink, String where, int attempt) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(payload)).build();
        return ResolvedEgress.check(egress, uri, scheduler)
                .thenCompose(allowed -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .handle((response, error) -> {
            int status = response == null ? -1 : response.statusCode();
            if (error == null && status / 100 == 2) {
                meters.counter("leakguard.notifications", "sink", sink, "result", "sent").increment();
                return null;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            boolean refused = cause instanceof ResolvedEgress.Refused;
            boolean retryable = !refused && (error != null || status == 429 || status / 100 == 5);
            String problem = refused ? cause.getMessage() : error != null ? cause.getClass().getSimpleName() : "HTTP " + status;
            if (!retryable || attempt >= ATTEMPTS) {
                meters.counter("leakguard.notifications", "sink", sink, "result", "failed").increment();
                LOG.warnf("%s: not delivered after %d attempt(s): %s", where, attempt, problem);
                return null;
            }
            Duration wait = backoff.multipliedBy(1L << (attempt - 1));
            if (status == 429 && response != null) {
                wait = response.headers().firstValue("Retry-After").map(JsonPoster::retryAfter).orElse(wait);
            }
            LOG.infof("%s: %s, retrying in %dms", where, problem, wait.toMillis());
            scheduler.schedule(() -> post(uri, payload, sink, where, attempt + 1), wait.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        });
    }

    static Duration retryAfter(String header) {
        try {
            return Duration.ofSeconds(Math.min(300, Math.max(0, Long.parseLong(header.trim()))));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(30);
        }
    }

    void stop() {
        scheduler.shutdownNow();
        httpThreads.shutdownNow();
    }
}
