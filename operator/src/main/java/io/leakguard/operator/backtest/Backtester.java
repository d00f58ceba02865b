package io.leakguard.operator.backtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.operator.detection.Ceilings;
import io.leakguard.operator.detection.DetectorScratch;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.detection.TrendCache;
import io.leakguard.operator.detection.TrendDetector;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.exposition.Sample;
import io.leakguard.operator.prometheus.PromSeries;
import io.leakguard.operator.sampling.RuntimeProfile;
import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.series.PodSeries;
import io.leakguard.operator.spec.MetricSelector;

/**
 * Replays exported series through the same store and detector the operator uses: time moves
 * forward one policy interval at a time, each step sees only samples at or before it (Prometheus'
 * five-minute lookback), and the verdict is taken as the live operator would take it.
 */
public final class Backtester {

    static final long LOOKBACK_MILLIS = 5 * 60_000;

    /** What the backtest says about one pod. Times are Unix seconds, or null. */
    public record PodResult(String namespace, String pod, String verdict, Long firstLeakingAt, Long firstSuspectAt,
            Long projectedOomAt, String reason, Double heapSlopeBytesPerHour, Double threadSlopePerHour) {
    }

    /** A pod's series, by role. */
    public static final class PodData {
        final Map<MetricSelector, List<PromSeries>> byCandidate = new LinkedHashMap<>();
        final List<PromSeries> limits = new ArrayList<>();
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;

        public boolean hasLimit() {
            return !limits.isEmpty();
        }
    }

    /** Is this series one a backtest of this profile reads? */
    public static boolean wanted(Map<String, String> labels, RuntimeProfile profile) {
        String name = labels.getOrDefault("__name__", "");
        return isLimit(labels) || profile.metricNames().contains(name);
    }

    static boolean isLimit(Map<String, String> labels) {
        String name = labels.getOrDefault("__name__", "");
        return name.equals("container_spec_memory_limit_bytes")
                || (name.equals("kube_pod_container_resource_limits") && "memory".equals(labels.get("resource")));
    }

    /** Groups series by pod; throws IllegalArgumentException naming a pod without a memory limit. */
    public static Map<String, PodData> byPod(List<PromSeries> series, RuntimeProfile profile) {
        Map<String, PodData> pods = new LinkedHashMap<>();
        for (PromSeries s : series) {
            String namespace = s.labels().get("namespace");
            String pod = s.labels().get("pod");
            if (namespace == null || pod == null || s.size() == 0) {
                continue;
            }
            PodData data = pods.computeIfAbsent(namespace + "/" + pod, k -> new PodData());
            if (isLimit(s.labels())) {
                data.limits.add(s);
                continue;
            }
            Sample probe = new Sample(s.name(), s.labels(), 0);
            for (List<MetricSelector> role : profile.roles()) {
                for (MetricSelector candidate : role) {
                    if (candidate.matches(probe)) {
                        data.byCandidate.computeIfAbsent(candidate, k -> new ArrayList<>()).add(s);
                    }
                }
            }
            data.start = Math.min(data.start, s.timeMillis(0));
            data.end = Math.max(data.end, s.timeMillis(s.size() - 1));
        }
        pods.values().removeIf(d -> d.byCandidate.isEmpty() && d.limits.isEmpty());
        pods.values().forEach(Backtester::workingSetOfTheLimitedContainer);
        return pods;
    }

    /**
     * The container working set of the container whose limit the pod is judged against (the largest, as
     * {@link #limitAt} takes it), not its sidecars' as well, when the limits say which container they are.
     */
    private static void workingSetOfTheLimitedContainer(PodData data) {
        List<PromSeries> workingSets = data.byCandidate.get(RuntimeProfile.CONTAINER_WORKING_SET);
        PromSeries limit = largestLimit(data, data.end);
        String container = limit == null ? null : limit.labels().get("container");
        if (workingSets == null || container == null) {
            return;
        }
        List<PromSeries> own = workingSets.stream().filter(s -> container.equals(s.labels().get("container"))).toList();
        if (!own.isEmpty()) {
            data.byCandidate.put(RuntimeProfile.CONTAINER_WORKING_SET, new ArrayList<>(own));
        }
    }

    public static List<PodResult> run(LeakPolicySpec spec, Map<String, PodData> pods) {
        DetectorSettings settings = DetectorSettings.from(spec.detection, spec.metrics);
        RuntimeProfile profile = RuntimeProfile.of(spec.runtime, spec.metrics.names);
        DetectorScratch scratch = new DetectorScratch();
        List<PodResult> results = new ArrayList<>();
        for (Map.Entry<String, PodData> entry : pods.entrySet()) {
            PodData data = entry.getValue();
            String[] nsPod = entry.getKey().split("/", 2);
            if (data.byCandidate.isEmpty()) {
                continue;
            }
            PodSeries series = new PodSeries(entry.getKey(), data.start, settings.bucketMillis(), DetectorSettings.BUCKETS);
            TrendCache trends = new TrendCache();
            Long firstLeaking = null;
            Long firstSuspect = null;
            Verdict last = null;
            long lastTick = data.start;
            for (long t = data.start; t <= data.end; t += settings.intervalMillis()) {
                Gauges gauges = gaugesAt(data, profile, t);
                if (!gauges.empty()) {
                    series.add(t, gauges);
                }
                last = TrendDetector.evaluate(series, trends, scratch, t, Ceilings.memoryLimit(limitAt(data, t)), settings);
                lastTick = t;
                if (last.kind() == VerdictKind.Leaking && firstLeaking == null) {
                    firstLeaking = t / 1000;
                }
                if ((last.kind() == VerdictKind.Suspect || last.kind() == VerdictKind.Leaking) && firstSuspect == null) {
                    firstSuspect = t / 1000;
                }
            }
            Long projected = last == null || Double.isInfinite(last.projectedOomSeconds()) ? null
                    : lastTick / 1000 + Math.round(last.projectedOomSeconds());
            results.add(new PodResult(nsPod[0], nsPod[1], last == null ? "InsufficientData" : last.kind().name(),
                    firstLeaking, firstSuspect, projected, last == null ? "no samples" : last.reason(),
                    finite(last == null ? Double.NaN : last.heapBytesPerHour()),
                    finite(last == null ? Double.NaN : last.threadsPerHour())));
        }
        results.sort(Comparator.comparing(PodResult::namespace).thenComparing(PodResult::pod));
        return results;
    }

    /** A pod's gauges sampled every {@code intervalMillis} from its first sample, as the operator would have read them. */
    public record Sampled(long startMillis, List<Gauges> gauges, double[] limit) {
    }

    public static Sampled sample(PodData data, RuntimeProfile profile, long intervalMillis) {
        int n = (int) ((data.end - data.start) / intervalMillis) + 1;
        List<Gauges> gauges = new ArrayList<>(n);
        double[] limit = new double[n];
        for (int i = 0; i < n; i++) {
            long t = data.start + i * intervalMillis;
            gauges.add(gaugesAt(data, profile, t));
            limit[i] = limitAt(data, t);
        }
        return new Sampled(data.start, gauges, limit);
    }

    /** The gauges as the operator would have read them at {@code t}: the latest of each within the lookback. */
    private static Gauges gaugesAt(PodData data, RuntimeProfile profile, long t) {
        return new Gauges(valueAt(data, profile.threads(), t, false), valueAt(data, profile.heapBaseline(), t, false),
                valueAt(data, profile.memory(), t, false), valueAt(data, profile.heapMax(), t, true),
                valueAt(data, profile.heapCommitted(), t, true), valueAt(data, profile.softLimit(), t, true),
                valueAt(data, profile.oldGen(), t, true), valueAt(data, profile.allocated(), t, true),
                valueAt(data, profile.heapUsed(), t, true));
    }

    /**
     * The first candidate with any series for this pod, summed across its series (memory pools add up);
     * with {@code nonNegative}, values below 0 (a pool without a max reports -1) are left out.
     */
    private static double valueAt(PodData data, List<MetricSelector> candidates, long t, boolean nonNegative) {
        for (MetricSelector candidate : candidates) {
            List<PromSeries> matching = data.byCandidate.get(candidate);
            if (matching == null) {
                continue;
            }
            double total = 0;
            boolean any = false;
            for (PromSeries s : matching) {
                double v = s.valueAt(t, LOOKBACK_MILLIS);
                if (!Double.isNaN(v) && !(nonNegative && v < 0)) {
                    total += v;
                    any = true;
                }
            }
            return any ? total : Double.NaN;
        }
        return Double.NaN;
    }

    private static double limitAt(PodData data, long t) {
        PromSeries largest = largestLimit(data, t);
        return largest == null ? Double.NaN : largest.valueAt(t, Long.MAX_VALUE);
    }

    /** The limit series with the largest positive value at {@code t} (a pod's containers each have one), or null. */
    private static PromSeries largestLimit(PodData data, long t) {
        PromSeries largest = null;
        double limit = Double.NaN;
        for (PromSeries s : data.limits) {
            double v = s.valueAt(t, Long.MAX_VALUE);
            if (!Double.isNaN(v) && v > 0 && (Double.isNaN(limit) || v > limit)) {
                limit = v;
                largest = s;
            }
        }
        return largest;
    }

    private static Double finite(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? null : value;
    }
}
