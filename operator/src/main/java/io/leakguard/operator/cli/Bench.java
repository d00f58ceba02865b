package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.detection.Ceilings;
import io.leakguard.operator.detection.DetectorScratch;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.detection.TrendCache;
import io.leakguard.operator.detection.TrendDetector;
import io.leakguard.operator.evaluation.Evaluation;
import io.leakguard.operator.evaluation.GoRuntimeModel;
import io.leakguard.operator.evaluation.Trace;
import io.leakguard.operator.evaluation.TraceGenerator;
import io.leakguard.operator.exposition.ExpositionParser;
import io.leakguard.operator.sampling.RuntimeProfile;
import io.leakguard.operator.series.PodSeries;
import io.leakguard.operator.state.PodHistory;

/**
 * {@code bench}: the detector's cost per sample and the memory per tracked pod, each beside a
 * baseline measured in the same run, because absolute figures on shared machines are noise.
 * <ul>
 * <li>Cost: add one sample and judge the pod, as the operator does every interval, against parsing
 * one real Go exposition with the same parser, which every scrape costs anyway.</li>
 * <li>Memory: a pod's series for a 1-hour window at 15 seconds, against keeping the same samples raw
 * in boxed lists, the obvious alternative.</li>
 * </ul>
 */
final class Bench {

    private Bench() {
    }

    static int run(Map<String, String> options, PrintStream out) throws IOException {
        int pods = Integer.parseInt(options.getOrDefault("pods", "2000"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
        DetectorSettings settings = DetectorSettings.from(new DetectionSpec(), new MetricsSpec());
        List<Trace> traces = new TraceGenerator(1).corpus(4, 15, 3 * 3600);
        // Pods whose allocation counter is read, so that threads are judged against their load; and the same
        // pods without it, the baseline of that cost in the same run.
        List<Trace> withLoad = new GoRuntimeModel(1).corpus(2, 15, 3 * 3600);
        List<Trace> withoutLoad = withLoad.stream().map(Trace::withoutLoad).toList();
        String exposition = goExposition();
        RuntimeProfile profile = RuntimeProfile.of(Runtime.Go, null);

        out.println("LeakGuard benchmark: default policy (1h window, 15s interval), " + traces.size()
                + " traces of 3h, best of " + rounds + " rounds after one warm-up round.");
        double bestDetector = Double.MAX_VALUE;
        double bestParse = Double.MAX_VALUE;
        double bestInPlace = Double.MAX_VALUE;
        double bestLoad = Double.MAX_VALUE;
        double bestNoLoad = Double.MAX_VALUE;
        for (int round = 0; round <= rounds; round++) {
            double detector = detectorNanosPerSample(traces, settings);
            double load = detectorNanosPerSample(withLoad, settings);
            double noLoad = detectorNanosPerSample(withoutLoad, settings);
            double parse = parseNanosPerScrape(exposition, profile, 20_000, false);
            double inPlace = parseNanosPerScrape(exposition, profile, 20_000, true);
            if (round > 0) {
                bestDetector = Math.min(bestDetector, detector);
                bestParse = Math.min(bestParse, parse);
                bestInPlace = Math.min(bestInPlace, inPlace);
                bestLoad = Math.min(bestLoad, load);
                bestNoLoad = Math.min(bestNoLoad, noLoad);
            }
        }
        out.printf(Locale.ROOT, "detector, per sample (add + judge): %8.2f us%n", bestDetector / 1000);
        out.printf(Locale.ROOT, "detector, go-runtime pods with load: %7.2f us (%.2fx the same pods without the counter, %.2f us)%n",
                bestLoad / 1000, bestLoad / bestNoLoad, bestNoLoad / 1000);
        out.printf(Locale.ROOT, "baseline, parse one Go scrape:      %8.2f us%n", bestParse / 1000);
        out.printf(Locale.ROOT, "ratio detector / parse:             %8.2f%n", bestDetector / bestParse);
        out.printf(Locale.ROOT, "parse, names matched in place:      %8.2f us (%.2fx the baseline; the scrape path)%n",
                bestInPlace / 1000, bestInPlace / bestParse);

        double series = bytesPerPod(pods, settings, false);
        double raw = bytesPerPod(pods, settings, true);
        out.printf(Locale.ROOT, "memory per pod, LeakGuard series:   %8.0f bytes (%.1f KiB)%n", series, series / 1024);
        out.printf(Locale.ROOT, "baseline, raw boxed samples:        %8.0f bytes (%.1f KiB)%n", raw, raw / 1024);
        out.printf(Locale.ROOT, "ratio series / raw:                 %8.2f%n", series / raw);
        return LeakGuardMain.OK;
    }

    private static double detectorNanosPerSample(List<Trace> traces, DetectorSettings settings) {
        long[] samplesAndSink = new long[2];
        long start = System.nanoTime();
        for (Trace trace : traces) {
            Evaluation.replay(trace, settings, (i, verdict) -> {
                samplesAndSink[0]++;
                samplesAndSink[1] += verdict.kind().ordinal();
                return true;
            });
        }
        long elapsed = System.nanoTime() - start;
        if (samplesAndSink[1] == Long.MIN_VALUE) {
            System.out.print("");
        }
        return (double) elapsed / samplesAndSink[0];
    }

    /** One Go scrape's parse; the baseline looks each line's name up in a set, the scrape path matches it in place. */
    private static double parseNanosPerScrape(String exposition, RuntimeProfile profile, int times, boolean inPlace) {
        var wanted = profile.metricNames();
        var names = profile.parserNames();
        double sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < times; i++) {
            var parsed = inPlace ? ExpositionParser.parse(exposition, names) : ExpositionParser.parse(exposition, wanted::contains);
            sink += profile.read(parsed.samples()).threads();
        }
        long elapsed = System.nanoTime() - start;
        if (sink == Double.MIN_VALUE) {
            System.out.print("");
        }
        return (double) elapsed / times;
    }

    /** Retained heap per pod: fill {@code pods} histories of one full window, measure used heap after GC. */
    private static double bytesPerPod(int pods, DetectorSettings settings, boolean raw) {
        int samplesPerWindow = (int) (settings.windowMillis() / settings.intervalMillis());
        DetectorScratch scratch = new DetectorScratch();
        long before = usedAfterGc();
        List<Object> keep = new ArrayList<>(pods);
        for (int p = 0; p < pods; p++) {
            if (raw) {
                List<Double> threads = new ArrayList<>();
                List<Double> heap = new ArrayList<>();
                List<Double> memory = new ArrayList<>();
                List<Long> times = new ArrayList<>();
                for (int i = 0; i < samplesPerWindow; i++) {
                    times.add(i * settings.intervalMillis());
                    threads.add(40.0 + i);
                    heap.add(1e8 + i * 1e3);
                    memory.add(2e8 + i * 1e3);
                }
                keep.add(List.of(times, threads, heap, memory));
            } else {
                PodSeries series = new PodSeries("uid-" + p + "/0/", 0, settings.bucketMillis(), DetectorSettings.BUCKETS);
                for (int i = 0; i < samplesPerWindow; i++) {
                    series.add(i * settings.intervalMillis(), 40 + i, 1e8 + i * 1e3, 2e8 + i * 1e3);
                }
                // Judged once, so the trends cached beside the series are part of what is measured.
                TrendCache trends = new TrendCache();
                TrendDetector.evaluate(series, trends, scratch, samplesPerWindow * settings.intervalMillis(),
                        Ceilings.memoryLimit(1e9), settings);
                keep.add(new PodHistory(series, trends));
            }
        }
        long after = usedAfterGc();
        if (keep.size() != pods) {
            throw new IllegalStateException();
        }
        return (double) (after - before) / pods;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String goExposition() throws IOException {
        try (InputStream in = Bench.class.getResourceAsStream("/bench/go-client_golang-1.14.txt")) {
            if (in == null) {
                throw new IOException("bench fixture /bench/go-client_golang-1.14.txt missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
