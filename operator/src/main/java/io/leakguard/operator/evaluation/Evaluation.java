package io.leakguard.operator.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.leakguard.operator.detection.Ceilings;
import io.leakguard.operator.detection.DetectorScratch;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.detection.TrendCache;
import io.leakguard.operator.detection.TrendDetector;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.series.PodSeries;

/**
 * Replays labelled traces through LeakGuard's detector, sample by sample with no look-ahead, and
 * through two common baselines, and scores each: recall (OOM-bound leaks flagged at least five
 * minutes before the OOM), lead time, healthy pods ever flagged, and how long goroutine-only
 * leaks take to be flagged.
 */
public final class Evaluation {

    public static final double MIN_LEAD_SECONDS = 300;
    /** Goroutine-only leaks count as caught early when flagged within this long of the leak's start. */
    public static final double GOROUTINE_ONLY_WITHIN_SECONDS = 3600;

    /** When each method first flagged a trace, in seconds from its start; NaN if never. */
    public interface Method {
        String name();

        double firstFlagSeconds(Trace trace);
    }

    /** LeakGuard's detector with the given settings, evaluated after every sample. */
    public static Method leakGuard(DetectorSettings settings) {
        return new Method() {
            @Override
            public String name() {
                return "LeakGuard (horizon " + settings.horizonMillis() / 60000 + "m)";
            }

            @Override
            public double firstFlagSeconds(Trace trace) {
                double[] flagged = {Double.NaN};
                replay(trace, settings, (i, verdict) -> {
                    if (verdict.kind() == VerdictKind.Leaking) {
                        flagged[0] = trace.timeSeconds(i);
                        return false;
                    }
                    return true;
                });
                return flagged[0];
            }
        };
    }

    /**
     * The method, replaying each trace once however often it is asked: the summary, the per-scenario
     * table and the details all need the same first flags.
     */
    public static Method remembered(Method method) {
        Map<Trace, Double> flags = new IdentityHashMap<>();
        return new Method() {
            @Override
            public String name() {
                return method.name();
            }

            @Override
            public double firstFlagSeconds(Trace trace) {
                return flags.computeIfAbsent(trace, method::firstFlagSeconds);
            }
        };
    }

    /** What to do with each verdict of a replay; false stops it. */
    @FunctionalInterface
    public interface Step {
        boolean onVerdict(int sample, Verdict verdict);
    }

    /**
     * Feeds a trace to a new series sample by sample and judges it after each, with no look-ahead,
     * as the live operator does.
     */
    public static void replay(Trace trace, DetectorSettings settings, Step step) {
        PodSeries series = new PodSeries("life", 0, settings.bucketMillis(), DetectorSettings.BUCKETS);
        TrendCache trends = new TrendCache();
        DetectorScratch scratch = new DetectorScratch();
        Ceilings ceilings = new Ceilings(trace.memoryLimitBytes(), trace.heapMaxBytes(), trace.softLimitBytes());
        for (int i = 0; i < trace.length(); i++) {
            long now = trace.timeSeconds(i) * 1000;
            Gauges gauges = trace.gauges(i);
            if (!gauges.empty()) {
                series.add(now, gauges);
            }
            if (!step.onVerdict(i, TrendDetector.evaluate(series, trends, scratch, now, ceilings, settings))) {
                return;
            }
        }
    }

    /** One method's scores over a corpus. */
    public record Score(String method, int oomBoundLeaks, int caughtInTime, double medianLeadMinutes,
            double p10LeadMinutes, int healthy, int healthyFlagged, double medianGoroutineOnlyDelayMinutes,
            int goroutineOnly, int goroutineOnlyCaught, int goroutineOnlyWithinHour) {

        public double recall() {
            return oomBoundLeaks == 0 ? Double.NaN : (double) caughtInTime / oomBoundLeaks;
        }

        public double falsePositiveRate() {
            return healthy == 0 ? Double.NaN : (double) healthyFlagged / healthy;
        }
    }

    public static Score score(Method method, List<Trace> traces) {
        int oomBound = 0;
        int caught = 0;
        int healthy = 0;
        int healthyFlagged = 0;
        int goroutineOnly = 0;
        int goroutineOnlyCaught = 0;
        int goroutineOnlyWithinHour = 0;
        List<Double> leads = new ArrayList<>();
        List<Double> goroutineDelays = new ArrayList<>();
        for (Trace trace : traces) {
            double flagged = method.firstFlagSeconds(trace);
            if (!trace.leaking()) {
                healthy++;
                if (!Double.isNaN(flagged)) {
                    healthyFlagged++;
                }
                continue;
            }
            if (trace.goroutineOnly()) {
                goroutineOnly++;
                if (!Double.isNaN(flagged)) {
                    goroutineOnlyCaught++;
                    goroutineDelays.add((flagged - trace.leakStartSeconds()) / 60.0);
                    if (flagged - trace.leakStartSeconds() <= GOROUTINE_ONLY_WITHIN_SECONDS) {
                        goroutineOnlyWithinHour++;
                    }
                }
            }
            if (!Double.isNaN(trace.oomAtSeconds())) {
                oomBound++;
                if (!Double.isNaN(flagged) && trace.oomAtSeconds() - flagged >= MIN_LEAD_SECONDS) {
                    caught++;
                }
                if (!Double.isNaN(flagged) && flagged < trace.oomAtSeconds()) {
                    leads.add((trace.oomAtSeconds() - flagged) / 60.0);
                }
            }
        }
        return new Score(method.name(), oomBound, caught, percentile(leads, 0.5), percentile(leads, 0.1), healthy,
                healthyFlagged, percentile(goroutineDelays, 0.5), goroutineOnly, goroutineOnlyCaught,
                goroutineOnlyWithinHour);
    }

    static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int index = (int) Math.floor(q * (sorted.length - 1));
        return sorted[index];
    }

    /** LeakGuard's scores per scenario, for finding what it misses: one Markdown row each. */
    public static String perScenario(Method method, List<Trace> traces) {
        Map<String, List<Trace>> byScenario = new LinkedHashMap<>();
        traces.forEach(t -> byScenario.computeIfAbsent(t.scenario(), k -> new ArrayList<>()).add(t));
        StringBuilder out = new StringBuilder("| scenario | pods | leaking | deaths (OOMKilled / OutOfMemoryError)"
                + " | caught >= 5m before | median lead | flagged (healthy: false positives) |\n|---|---|---|---|---|---|---|\n");
        for (var entry : byScenario.entrySet()) {
            List<Trace> group = entry.getValue();
            Score score = score(method, group);
            long killed = group.stream().filter(t -> Trace.OOM_KILLED.equals(t.death())).count();
            long oome = group.stream().filter(t -> Trace.OUT_OF_MEMORY_ERROR.equals(t.death())).count();
            long flagged = group.stream().filter(t -> !Double.isNaN(method.firstFlagSeconds(t))).count();
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %d / %d | %s | %s | %d |%n", entry.getKey(), group.size(),
                    group.get(0).leaking() ? "yes" : "no", killed, oome,
                    score.oomBoundLeaks() == 0 ? "-" : score.caughtInTime() + "/" + score.oomBoundLeaks(),
                    minutes(score.medianLeadMinutes()), flagged));
        }
        return out.toString();
    }

    /** The scores as a Markdown table. */
    public static String table(List<Score> scores) {
        StringBuilder out = new StringBuilder();
        out.append("| method | recall (flagged >= 5m before OOM) | median lead | p10 lead | healthy pods flagged |"
                + " goroutine-only leaks flagged (within 1h) | median delay, goroutine-only |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        for (Score s : scores) {
            out.append(String.format(Locale.ROOT, "| %s | %d/%d (%.1f%%) | %s | %s | %d/%d (%.1f%%) | %d/%d (%d) | %s |%n",
                    s.method(), s.caughtInTime(), s.oomBoundLeaks(), 100 * s.recall(), minutes(s.medianLeadMinutes()),
                    minutes(s.p10LeadMinutes()), s.healthyFlagged(), s.healthy(), 100 * s.falsePositiveRate(),
                    s.goroutineOnlyCaught(), s.goroutineOnly(), s.goroutineOnlyWithinHour(), minutes(s.medianGoroutineOnlyDelayMinutes())));
        }
        return out.toString();
    }

    private static String minutes(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f min", value);
    }
}
