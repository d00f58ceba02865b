package io.leakguard.operator.sampling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakguard.operator.exposition.Sample;
import io.leakguard.operator.fairness.ByteBudget;
import io.leakguard.operator.http.CappedBody;
import io.leakguard.operator.http.EgressRules;
import io.leakguard.operator.http.HttpFailure;
import io.leakguard.operator.http.ResolvedEgress;
import io.leakguard.operator.prometheus.PromSeries;
import io.leakguard.operator.prometheus.QueryRangeReader;
import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.tracking.TrackedPod;

/**
 * Reads the pods of one policy from an existing Prometheus: one instant query per round for all the
 * policy's pods and gauges, and one range query to backfill history (after an operator restart or
 * for a pod seen for the first time), so a restart of the operator loses no trend.
 */
public final class PrometheusSource {

    /** Range responses are larger than scrapes; a window of a few hundred pods fits well within this. */
    /** Largest instant answer read: it is parsed as a tree, and a policy's pods fit in far less. */
    static final int MAX_INSTANT_BYTES = 8 * 1024 * 1024;
    /** Largest range answer read (a backfill): it is streamed, never held as a tree. */
    static final int MAX_RANGE_BYTES = 32 * 1024 * 1024;

    private final HttpClient http;

    private final Executor executor;
    private final EgressRules egress;

    private final ByteBudget budget;

    public PrometheusSource(Executor executor, EgressRules egress,
            ByteBudget budget) {
        this.budget = budget;
        this.executor = executor;
        this.egress = egress;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The selector covering every gauge of the profile for these pods of one namespace. */
    static String selector(String namespace, List<TrackedPod> pods, RuntimeProfile profile) {
        Set<String> names = new TreeSet<>(profile.metricNames());
        StringBuilder podRegex = new StringBuilder();
        // Pod names are DNS labels: '.' is the only character special in a regex; PromQL strings escape '\\'.
        pods.stream().map(TrackedPod::name).sorted().forEach(name -> podRegex.append(podRegex.length() == 0 ? "" : "|")
                .append(name.replace(".", "\\\\.")));
        return "{__name__=~\"" + String.join("|", names) + "\",namespace=\"" + namespace + "\",pod=~\"" + podRegex + "\"}";
    }

    /** One instant query; completes with a result per pod name (a failure applies to every pod). */
    public CompletableFuture<Map<String, ScrapeResult>> sample(String baseUrl, String bearerToken, String namespace,
            List<TrackedPod> pods, RuntimeProfile profile, Duration timeout, long atMillis) {
        long start = System.nanoTime();
        String query = selector(namespace, pods, profile);
        URI uri = URI.create(stripSlash(baseUrl) + "/api/v1/query?query=" + encode(query) + "&time="
                + (atMillis / 1000.0));
        return fetch(uri, bearerToken, timeout, namespace, MAX_INSTANT_BYTES, body -> {
            try {
                return parseVector(body, uri.getHost());
            } catch (IOException e) {
                throw new BadAnswer(e.getMessage());
            }
        }).handle((byPod, error) -> {
            long took = System.nanoTime() - start;
            Map<String, ScrapeResult> results = new HashMap<>();
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof BadAnswer bad) {
                ScrapeResult failed = ScrapeResult.failed("unparsable", bad.getMessage(), took);
                pods.forEach(p -> results.put(p.name(), failed));
                return results;
            }
            if (error != null) {
                ScrapeResult failed = failure(error, timeout, took, uri);
                pods.forEach(p -> results.put(p.name(), failed));
                return results;
            }
            for (TrackedPod pod : pods) {
                List<Sample> samples = byPod.getOrDefault(pod.name(), List.of());
                Gauges reading = profile.read(samples, pod.container());
                results.put(pod.name(), reading.empty()
                        ? ScrapeResult.failed("no_gauges", "Prometheus has none of " + profile.describe()
                                + " for this pod", took)
                        : ScrapeResult.ok(reading, took));
            }
            return results;
        });
    }

    /** One range query over the window before {@code endMillis}; completes with the series, or fails. */
    public CompletableFuture<List<PromSeries>> history(String baseUrl, String bearerToken, String namespace,
            List<TrackedPod> pods, RuntimeProfile profile, Duration timeout, long startMillis, long endMillis,
            Duration step) {
        String query = selector(namespace, pods, profile);
        URI uri = URI.create(stripSlash(baseUrl) + "/api/v1/query_range?query=" + encode(query) + "&start="
                + (startMillis / 1000.0) + "&end=" + (endMillis / 1000.0) + "&step=" + Math.max(1, step.toSeconds()) + "s");
        return fetch(uri, bearerToken, timeout, namespace, MAX_RANGE_BYTES, body -> {
            try {
                return QueryRangeReader.read(body, labels -> true, "Prometheus query_range");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * One GET, its body read up to {@code cap} within the namespace's share of the operator's byte budget,
     * then parsed; the reservation is given back once the answer is parsed.
     */
    private <T> CompletableFuture<T> fetch(URI uri, String bearerToken, Duration timeout, String namespace, int cap,
            Function<byte[], T> parse) {
        CappedBody[] subscriber = new CappedBody[1];
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (bearerToken != null && !bearerToken.isBlank()) {
            request.header("Authorization", "Bearer " + bearerToken.trim());
        }
        return ResolvedEgress.check(egress, uri, executor).thenCompose(allowed -> http.sendAsync(request.GET().build(),
                info -> subscriber[0] = new CappedBody(cap, budget, namespace)))
                .orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .thenApply(response -> {
                    CappedBody.Body body = response.body();
                    if (response.statusCode() != 200) {
                        // The body is not repeated: the URL is a tenant's, and its answer must not come back
                        // to them through status (a request forgery with read-back).
                        throw new CompletionException(new IOException("HTTP "
                                + response.statusCode() + " from Prometheus at " + uri.getHost()));
                    }
                    if (body.truncated) {
                        throw new CompletionException(new IOException(
                                "Prometheus answered more than " + cap + " bytes; narrow the policy's selector"));
                    }
                    if (body.overBudget) {
                        throw new CompletionException(new IOException("namespace " + namespace
                                + " already holds its share of the operator's memory for answers in flight ("
                                + (budget.perTenant() >> 20) + " MiB); will try again next round"));
                    }
                    return parse.apply(Arrays.copyOf(body.bytes, body.length));
                })
                .whenComplete((parsed, error) -> {
                    if (subscriber[0] != null) {
                        subscriber[0].release();
                    }
                });
    }

    /** An answer that is not what Prometheus sends; its message never quotes the answer. */
    private static final class BadAnswer extends RuntimeException {
        BadAnswer(String message) {
            super(message);
        }
    }

    /** Parses an instant-query vector into samples per pod. */
    static Map<String, List<Sample>> parseVector(byte[] body, String source) throws IOException {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(body);
        } catch (JsonProcessingException e) {
            // The parser's message quotes the answer; the answer is not repeated.
            throw new IOException("Prometheus at " + source + " answered something that is not JSON");
        }
        if (json == null || !"success".equals(json.path("status").asText())) {
            throw new IOException("Prometheus at " + source + " did not answer success"
                    + (json == null ? " (empty body)" : " (errorType " + errorType(json.path("errorType").asText("none")) + ")"));
        }
        if (!"vector".equals(json.path("data").path("resultType").asText())) {
            throw new IOException("Prometheus at " + source + " answered resultType '"
                    + json.path("data").path("resultType").asText() + "', expected 'vector'");
        }
        Map<String, List<Sample>> byPod = new HashMap<>();
        for (var series : json.path("data").path("result")) {
            Map<String, String> labels = new HashMap<>();
            series.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            String pod = labels.get("pod");
            var value = series.path("value");
            if (pod == null || value.size() != 2) {
                continue;
            }
            double v;
            try {
                v = Double.parseDouble(value.get(1).asText().replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
            } catch (NumberFormatException e) {
                continue;
            }
            byPod.computeIfAbsent(pod, k -> new ArrayList<>()).add(new Sample(labels.getOrDefault("__name__", ""),
                    labels, v));
        }
        return byPod;
    }

    /** Prometheus's error types are short words; anything else is not repeated. */
    private static String errorType(String type) {
        return type.matches("[a-z_]{1,32}") ? type : "unknown";
    }

    private static ScrapeResult failure(Throwable error, Duration timeout, long took, URI uri) {
        Throwable cause = HttpFailure.cause(error);
        if (HttpFailure.isTimeout(cause)) {
            return ScrapeResult.failed("timeout", "Prometheus at " + uri.getHost() + " gave no answer within "
                    + timeout.toMillis() + "ms", took);
        }
        if (HttpFailure.isRefused(cause)) {
            return ScrapeResult.failed("unreachable", "Prometheus at " + uri.getHost() + " refused the connection", took);
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return ScrapeResult.failed(message.startsWith("HTTP ") ? "http_error" : "unreachable", message, took);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
