package io.leakguard.operator.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.operator.backtest.Backtester;
import io.leakguard.operator.prometheus.PromSeries;
import io.leakguard.operator.prometheus.QueryRangeReader;
import io.leakguard.operator.sampling.RuntimeProfile;
import io.leakguard.operator.series.Gauges;

/**
 * Reads recorded pods (Prometheus query_range files, as {@code e2e/workloads/corpus/recorder} writes
 * them, with their truth in {@code truth.tsv}) as traces, sampled at the policy's interval the way
 * {@code backtest} reads them. Only the pods of the policy's runtime are read (their gauges exist).
 */
public final class RecordedCorpus {

    private RecordedCorpus() {
    }

    public static List<Trace> read(Path dir, LeakPolicySpec policy, long intervalMillis) throws IOException {
        RuntimeProfile profile = RuntimeProfile.of(policy.runtime, policy.metrics.names);
        List<Trace> traces = new ArrayList<>();
        List<String> truth = Files.readAllLines(dir.resolve("truth.tsv"));
        for (String line : truth.subList(1, truth.size())) {
            String[] f = line.split("\t");
            Path file = dir.resolve(f[1] + ".json");
            if (line.isBlank() || !Files.exists(file)) {
                continue;
            }
            List<PromSeries> series = QueryRangeReader.read(file, labels -> Backtester.wanted(labels, profile));
            Map<String, Backtester.PodData> byPod = Backtester.byPod(series, profile);
            Backtester.PodData data = byPod.get(f[0] + "/" + f[1]);
            if (data == null || !data.hasLimit()) {
                continue;
            }
            Backtester.Sampled s = Backtester.sample(data, profile, intervalMillis);
            if (s.gauges().stream().allMatch(g -> Double.isNaN(g.threads()) && Double.isNaN(g.heap()))) {
                continue; // another runtime's pod: none of this profile's gauges
            }
            double[] threads = s.gauges().stream().mapToDouble(Gauges::threads).toArray();
            double[] heap = s.gauges().stream().mapToDouble(Gauges::heap).toArray();
            double[] memory = s.gauges().stream().mapToDouble(Gauges::memory).toArray();
            double[] committed = s.gauges().stream().mapToDouble(Gauges::heapCommitted).toArray();
            double[] oldGen = s.gauges().stream().mapToDouble(Gauges::oldGen).toArray();
            double[] allocated = s.gauges().stream().mapToDouble(Gauges::allocated).toArray();
            double[] heapUsed = s.gauges().stream().mapToDouble(Gauges::heapUsed).toArray();
            double start = s.startMillis() / 1000.0;
            double diedAt = f[7].equals("-") ? Double.NaN : Double.parseDouble(f[7]) - start;
            double leakStart = f[6].equals("-") ? Double.NaN : Math.max(0, Double.parseDouble(f[6]) - start);
            double heapMax = s.gauges().stream().mapToDouble(Gauges::heapMax).filter(v -> v > 0).max().orElse(Double.NaN);
            double softLimit = s.gauges().stream().mapToDouble(Gauges::softLimitIfSet).filter(v -> v > 0).max().orElse(Double.NaN);
            traces.add(new Trace(f[1], f[2], policy.runtime == null ? "Custom" : policy.runtime.name(),
                    Boolean.parseBoolean(f[3]), Boolean.parseBoolean(f[4]), intervalMillis / 1000, threads, heap, memory,
                    anyPositive(committed) ? committed : null,
                    s.limit()[s.limit().length - 1], heapMax, softLimit,
                    diedAt, f[8].equals("-") || f[8].equals("Exited") ? null : f[8], leakStart,
                    Arrays.stream(oldGen).anyMatch(v -> !Double.isNaN(v)) ? oldGen : null,
                    Arrays.stream(allocated).anyMatch(v -> !Double.isNaN(v)) ? allocated : null,
                    anyPositive(heapUsed) ? heapUsed : null));
        }
        return traces;
    }

    private static boolean anyPositive(double[] values) {
        return Arrays.stream(values).anyMatch(v -> v > 0);
    }
}
