package io.leakguard.operator.diagnostics;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import io.leakguard.operator.http.EgressRules;
import io.leakguard.operator.http.ResolvedEgress;

/**
 * Pushes a Go pod's goroutine profiles (pprof format, as {@code /debug/pprof/goroutine} and
 * {@code /debug/pprof/goroutineleak} serve them) to a Pyroscope server's {@code /ingest} API, as
 * pyroscope-go does: a multipart form with the {@code profile} and its {@code sample_type_config}, the
 * service name and labels in the {@code name} parameter. The egress rules are checked on the resolved
 * address first; one attempt per profile, whose outcome is returned in words. Written by hand because
 * the Pyroscope clients for Java profile the JVM they run in; none pushes another process's profile.
 */
public final class ProfilePusher {

    static final String BOUNDARY = "leakguard-pprof-7f3c";
    /**
     * How Pyroscope should read the sample types: "goroutine" as pyroscope-go declares it, and the leak
     * profile's "goroutineleak" alike (told apart by the {@code leakguard_profile} label).
     */
    static final String SAMPLE_TYPE_CONFIG = "{\"goroutine\":{\"display-name\":\"goroutines\",\"units\":\"goroutines\","
            + "\"aggregation\":\"average\"},\"goroutineleak\":{\"display-name\":\"goroutines\",\"units\":\"goroutines\","
            + "\"aggregation\":\"average\"}}";

    private final EgressRules egress;
    private final Executor executor;
    private final HttpClient http;

    public ProfilePusher(EgressRules egress, Executor executor) {
        this.egress = egress;
        this.executor = executor;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Pushes each profile ("goroutine", "goroutineleak" to its pprof bytes) under {@code application} with
     * {@code labels}; completes with one line per profile saying where it went or why not. Never fails.
     */
    public CompletableFuture<String> push(String baseUrl, String application, Map<String, String> labels,
            Map<String, byte[]> profiles, long fromSeconds, long untilSeconds) {
        List<CompletableFuture<String>> pushes = new ArrayList<>();
        for (var profile : profiles.entrySet()) {
            Map<String, String> all = new TreeMap<>(labels);
            all.put("leakguard_profile", profile.getKey());
            URI uri = URI.create(stripSlash(baseUrl) + "/ingest?" + query(application, all, fromSeconds, untilSeconds));
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(profile.getValue(), SAMPLE_TYPE_CONFIG)))
                    .build();
            pushes.add(ResolvedEgress.check(egress, uri, executor)
                    .thenCompose(allowed -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                    .handle((response, error) -> {
                        if (error == null && response.statusCode() / 100 == 2) {
                            return profile.getKey() + " profile pushed";
                        }
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        return profile.getKey() + " profile not pushed: " + (error != null
                                ? (cause instanceof ResolvedEgress.Refused ? cause.getMessage()
                                        : cause.getClass().getSimpleName())
                                : "HTTP " + response.statusCode() + " " + firstLine(response.body()));
                    }));
        }
        return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> String.join("; ", pushes.stream().map(CompletableFuture::join).toList()));
    }

    /** Pure: the {@code /ingest} query: name=APP{k=v,...}, the time range, format=pprof, spyName=leakguard. */
    static String query(String application, Map<String, String> labels, long fromSeconds, long untilSeconds) {
        StringBuilder name = new StringBuilder(application).append('{');
        labels.forEach((k, v) -> name.append(name.charAt(name.length() - 1) == '{' ? "" : ",").append(k).append('=')
                .append(v));
        name.append('}');
        return "name=" + URLEncoder.encode(name.toString(), StandardCharsets.UTF_8) + "&from=" + fromSeconds + "&until="
                + untilSeconds + "&format=pprof&spyName=leakguard";
    }

    /** Pure: the multipart form with the profile and its sample type config, as Pyroscope's /ingest reads it. */
    static byte[] multipart(byte[] profile, String sampleTypeConfig) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(profile.length + 512);
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\""
                + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(profile);
        out.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"sample_type_config\";"
                + " filename=\"sample_type_config.json\"\r\nContent-Type: application/json\r\n\r\n" + sampleTypeConfig
                + "\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Where a user finds the profiles, in words: the server, the service name and the pod's label. */
    public static String whereToFind(String baseUrl, String application, String pod) {
        return "goroutine profiles in Pyroscope at " + stripSlash(baseUrl) + ": service_name=" + application
                + ", pod=" + pod + " (leakguard_profile=goroutine, goroutineleak)";
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
