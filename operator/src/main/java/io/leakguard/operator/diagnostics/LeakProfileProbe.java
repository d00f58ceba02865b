package io.leakguard.operator.diagnostics;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import io.leakguard.operator.detection.ProvenLeaks;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.tracking.TrackedPod;

/**
 * Reads the Go runtime's goroutine leak profile ({@value #PATH}) of the pods whose policy acts on proven
 * leaks, at most every {@code every} (5 minutes by default, {@code leakguard.dumps.leak-profile-every}), on their dump endpoint, and keeps what it proved for the judge.
 * The profile at debug=1 counts only the leaked goroutines, so it is small; it is capped at
 * {@link #MAX_BYTES} all the same, and at most {@link #CONCURRENCY} are read at once. Each read makes the
 * pod run one leak-finding GC cycle, which is why it is not read at every sample.
 */
public final class LeakProfileProbe {

    public static final String PATH = "/debug/pprof/goroutineleak?debug=1";
    static final int MAX_BYTES = 1 << 20;
    static final int CONCURRENCY = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DumpCollector collector;
    private final Duration every;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(String lifeKey, long askedMillis, ProvenLeaks proven) {
    }

    public LeakProfileProbe(Executor executor, Duration every) {
        this.collector = new DumpCollector(CONCURRENCY, executor);
        this.every = every;
    }

    /** How often a pod's profile is read; a result older than twice this is no longer acted on. */
    public Duration every() {
        return every;
    }

    /** Starts a read of the pod's leak profile when the last one for this life is {@code every} old or more. */
    public void readIfDue(String key, Policy policy, TrackedPod pod, long nowMillis) {
        Entry last = entries.get(key);
        if (pod.targetProblem() != null
                || last != null && last.lifeKey().equals(pod.lifeKey()) && nowMillis - last.askedMillis() < every.toMillis()) {
            return;
        }
        ProvenLeaks previous = last != null && last.lifeKey().equals(pod.lifeKey()) ? last.proven() : null;
        entries.put(key, new Entry(pod.lifeKey(), nowMillis, previous));
        String url;
        try {
            url = PodDumps.endpoint(policy, pod) + PATH;
        } catch (DumpException e) {
            entries.put(key, new Entry(pod.lifeKey(), nowMillis, ProvenLeaks.failed(e.getMessage(), nowMillis)));
            return;
        }
        collector.httpEndpoint(url, TIMEOUT, MAX_BYTES).handle((dump, error) -> {
            ProvenLeaks proven = error != null ? ProvenLeaks.failed(explain(error), nowMillis) : parse(dump, nowMillis);
            entries.computeIfPresent(key, (k, e) -> e.lifeKey().equals(pod.lifeKey()) ? new Entry(e.lifeKey(),
                    e.askedMillis(), proven) : e);
            return null;
        });
    }

    /** What the pod's current life's profile proved when last read, or null. */
    public ProvenLeaks latest(String key, String lifeKey) {
        Entry entry = entries.get(key);
        return entry == null || !entry.lifeKey().equals(lifeKey) ? null : entry.proven();
    }

    /** Forgets the pods that are no longer watched. */
    public void retainOnly(Set<String> keys) {
        entries.keySet().retainAll(keys);
    }

    /** Pure: the proven goroutines of a debug=1 (or debug=2) leak profile, and the largest group's site. */
    static ProvenLeaks parse(CollectedDump dump, long nowMillis) {
        ThreadDump profile = DumpParser.parse(dump.text(), dump.truncated());
        if (!dump.text().startsWith("goroutineleak profile:") && profile.format() != ThreadDump.Format.GoDebug2) {
            return ProvenLeaks.failed("the answer is not a goroutine leak profile (it starts \""
                    + firstLine(dump.text()) + "\")", nowMillis);
        }
        ThreadDump leaks = DumpAnalysis.provenLeaks(profile);
        var ranked = StackGroups.diff((ThreadDump) null, leaks, Set.of());
        return new ProvenLeaks(leaks.total(), StackGroups.headline(null, leaks, ranked), nowMillis, null);
    }

    private static String explain(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        String message = String.valueOf(cause.getMessage());
        return message.startsWith("HTTP 404") ? "the pod serves no goroutine leak profile (HTTP 404): Go 1.27 serves it,"
                + " Go 1.26 only when built with GOEXPERIMENT=goroutineleakprofile" : message;
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }
}
