package io.leakguard.operator.diagnostics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.leakguard.operator.http.CappedBody;
import io.leakguard.operator.http.HttpFailure;

/**
 * Takes thread and goroutine dumps from pods, never blocking the caller: each source has a timeout,
 * a byte cap (a longer dump is cut off and marked, never silently), and at most {@code concurrency}
 * dumps run at once. Failures complete the future exceptionally with a {@link DumpException}.
 */
public final class DumpCollector {

    public static final String GO_DEFAULT_PATH = "/debug/pprof/goroutine?debug=2";
    public static final String GO_LEAK_PATH = "/debug/pprof/goroutineleak?debug=2";
    private static final Pattern JCMD_LIST = Pattern.compile("^(\\d+)\\s+(\\S*).*$");

    private final HttpClient http;
    private final Semaphore permits;

    public DumpCollector(int concurrency, Executor executor) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.permits = new Semaphore(concurrency);
    }

    /** A Go pod: the goroutine dump, and the runtime's leak profile where it serves one (a 404 is quietly fine). */
    public CompletableFuture<CollectedDump> goPprof(String baseUrl, String path, Duration timeout, int maxBytes) {
        String dumpPath = path == null ? GO_DEFAULT_PATH : path;
        return guarded(() -> fetch(URI.create(baseUrl + dumpPath), timeout, maxBytes)
                .thenCompose(dump -> fetch(URI.create(baseUrl + GO_LEAK_PATH), timeout, maxBytes)
                        .handle((leak, error) -> new CollectedDump(dump.text(), dump.truncated(), dump.source(),
                                error == null ? leak.text() : null,
                                error == null ? List.of("the Go runtime's goroutine-leak profile was taken too")
                                        : List.of()))));
    }

    /**
     * A Go pod's goroutine profile and, where served, its goroutine leak profile, in pprof format (gzipped
     * protobuf, as {@code go tool pprof} reads them), for pushing to a profiler: name to bytes. A profile
     * not served, or cut at {@code maxBytes}, is left out.
     */
    public CompletableFuture<Map<String, byte[]>> goProfiles(String baseUrl, Duration timeout, int maxBytes) {
        Map<String, byte[]> profiles = new java.util.concurrent.ConcurrentHashMap<>();
        CompletableFuture<Void> goroutine = fetchBytes(URI.create(baseUrl + "/debug/pprof/goroutine"), timeout, maxBytes)
                .thenAccept(bytes -> keep(profiles, "goroutine", bytes));
        CompletableFuture<Void> leak = fetchBytes(URI.create(baseUrl + "/debug/pprof/goroutineleak"), timeout, maxBytes)
                .thenAccept(bytes -> keep(profiles, "goroutineleak", bytes));
        return CompletableFuture.allOf(goroutine, leak)
                .thenApply(ignored -> java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(profiles)));
    }

    private static void keep(Map<String, byte[]> profiles, String name, byte[] bytes) {
        if (bytes != null) {
            profiles.put(name, bytes);
        }
    }

    private CompletableFuture<byte[]> fetchBytes(URI url, Duration timeout, int maxBytes) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        return http.sendAsync(request, info -> new CappedBody(maxBytes))
                .orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null || response.statusCode() != 200 || response.body().truncated) {
                        return null;
                    }
                    CappedBody.Body body = response.body();
                    return java.util.Arrays.copyOf(body.bytes, body.length);
                });
    }

    /** Any HTTP endpoint that returns a dump, such as Spring Boot's /actuator/threaddump (text/plain). */
    public CompletableFuture<CollectedDump> httpEndpoint(String url, Duration timeout, int maxBytes) {
        return guarded(() -> fetch(URI.create(url), timeout, maxBytes));
    }

    /**
     * A JVM in a container: finds its pid with {@code jcmd -l} (it is not assumed to be 1), then runs
     * {@code jcmd <pid> Thread.print}, falling back to {@code jstack <pid>}; the notes say which ran.
     */
    public CompletableFuture<CollectedDump> jvm(CommandRunner runner, Duration timeout, int maxBytes) {
        return guarded(() -> runner.run(List.of("jcmd", "-l"), timeout, 64 * 1024).thenCompose(list -> {
            long pid = jvmPid(list.stdout());
            if (list.exitCode() != 0 || pid < 0) {
                throw new DumpException("jcmd -l found no JVM in the container (exit " + list.exitCode() + ": "
                        + firstLine(list.stderr() + list.stdout()) + "); is this a JDK image with jcmd on the PATH?");
            }
            return jvmDump(runner, pid, timeout, maxBytes);
        }));
    }

    /** Thread.print for a known pid, with jstack as the fallback. */
    public CompletableFuture<CollectedDump> jvmDump(CommandRunner runner, long pid, Duration timeout, int maxBytes) {
        List<String> notes = new ArrayList<>();
        return runner.run(List.of("jcmd", String.valueOf(pid), "Thread.print", "-l"), timeout, maxBytes)
                .thenCompose(result -> {
                    if (result.exitCode() == 0 && result.stdout().contains("Full thread dump")) {
                        return CompletableFuture.completedFuture(new CollectedDump(result.stdout(), result.truncated(),
                                "jcmd " + pid + " Thread.print", null, notes));
                    }
                    notes.add("jcmd Thread.print failed (" + firstLine(result.stderr() + result.stdout())
                            + "); used jstack instead");
                    return runner.run(List.of("jstack", "-l", String.valueOf(pid)), timeout, maxBytes).thenCompose(js -> {
                        if (js.exitCode() == 0 && js.stdout().contains("Full thread dump")) {
                            return CompletableFuture.completedFuture(
                                    new CollectedDump(js.stdout(), js.truncated(), "jstack " + pid, null, notes));
                        }
                        notes.add("jstack failed too (" + firstLine(js.stderr() + js.stdout())
                                + "); sent SIGQUIT (kill -3) and read the dump from the container's log");
                        return sigquit(runner, pid, timeout, maxBytes, notes);
                    });
                });
    }

    /** Last resort: SIGQUIT makes HotSpot print its dump on stdout, which the container runtime logs. */
    private static CompletableFuture<CollectedDump> sigquit(CommandRunner runner, long pid, Duration timeout,
            int maxBytes, List<String> notes) {
        return runner.run(List.of("kill", "-3", String.valueOf(pid)), timeout, 4096)
                .thenCompose(kill -> {
                    if (kill.exitCode() != 0) {
                        throw new DumpException("jcmd, jstack and kill -3 all failed for pid " + pid + ": "
                                + firstLine(kill.stderr()));
                    }
                    return CompletableFuture.supplyAsync(() -> null,
                            CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS))
                            .thenCompose(ignored -> runner.recentLog(maxBytes));
                })
                .thenApply(log -> {
                    int start = log == null ? -1 : log.lastIndexOf("Full thread dump");
                    if (start < 0) {
                        throw new DumpException("sent kill -3 to pid " + pid
                                + " but found no thread dump in the container's log");
                    }
                    int end = log.indexOf("\nHeap\n", start);
                    String dump = end < 0 ? log.substring(start) : log.substring(start, end + 1);
                    return new CollectedDump(dump, false, "kill -3 " + pid + " (container log)", null, notes);
                });
    }

    /** The application JVM in {@code jcmd -l} output: not jcmd itself, lowest pid first; -1 if none. */
    static long jvmPid(String jcmdList) {
        long best = -1;
        for (String line : jcmdList.lines().toList()) {
            Matcher m = JCMD_LIST.matcher(line.trim());
            if (!m.matches() || m.group(2).contains("JCmd") || m.group(2).contains("jcmd")) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            if (best < 0 || pid < best) {
                best = pid;
            }
        }
        return best;
    }

    private CompletableFuture<CollectedDump> fetch(URI url, Duration timeout, int maxBytes) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        return http.sendAsync(request, info -> new CappedBody(maxBytes))
                .orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = HttpFailure.cause(error);
                        if (HttpFailure.isTimeout(cause)) {
                            throw new DumpException("no dump from " + url + " within " + timeout.toSeconds() + "s");
                        }
                        if (HttpFailure.isRefused(cause)) {
                            throw new DumpException("connection refused by " + url);
                        }
                        throw new DumpException("dump from " + url + " failed: " + cause);
                    }
                    if (response.statusCode() != 200) {
                        throw new DumpException("HTTP " + response.statusCode() + " from " + url
                                + (response.statusCode() == 404 ? " (is net/http/pprof imported and served on this port?)" : ""));
                    }
                    CappedBody.Body body = response.body();
                    return new CollectedDump(new String(body.bytes, 0, body.length, StandardCharsets.UTF_8),
                            body.truncated, url.toString(), null, List.of());
                });
    }

    private CompletableFuture<CollectedDump> guarded(Supplier<CompletableFuture<CollectedDump>> work) {
        if (!permits.tryAcquire()) {
            return CompletableFuture.failedFuture(new DumpException("too many dumps in progress; not taken"));
        }
        try {
            return work.get().whenComplete((dump, error) -> permits.release());
        } catch (RuntimeException e) {
            permits.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
