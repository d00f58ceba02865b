package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.evaluation.Evaluation;
import io.leakguard.operator.evaluation.GoRuntimeModel;
import io.leakguard.operator.evaluation.JvmRoughModel;
import io.leakguard.operator.evaluation.JvmRuntimeModel;
import io.leakguard.operator.evaluation.RecordedCorpus;
import io.leakguard.operator.evaluation.ReferenceRules;
import io.leakguard.operator.evaluation.Trace;
import io.leakguard.operator.evaluation.TraceGenerator;

/**
 * {@code evaluate [--corpus gauges|go-runtime|go-rough|jvm-runtime|jvm-rough|recorded] [--series DIR] [--policy FILE]
 * [--seed N] [--per-scenario N] [--hours H] [--by-scenario true] [--misses true] [--load false] [--explain TRACE] [--output FILE]}: scores the detector and two baselines on a corpus
 * of labelled traces. {@code --policy} takes the detection settings of a LeakPolicy manifest (the
 * repository's examples, say); without it, the CRD's defaults. {@code --load false} drops the traces'
 * allocation counters, as for pods whose exporter gives none.
 */
final class Evaluate {

    private Evaluate() {
    }

    static int run(Map<String, String> options, PrintStream out) throws IOException {
        long seed = Long.parseLong(options.getOrDefault("seed", "42"));
        int perScenario = Integer.parseInt(options.getOrDefault("per-scenario", "20"));
        long hours = Long.parseLong(options.getOrDefault("hours", "8"));
        String corpus = options.getOrDefault("corpus", "gauges");
        LeakPolicySpec policy = options.containsKey("policy") ? Backtest.readPolicy(Path.of(options.get("policy"))).getSpec()
                : defaultGoPolicy();
        DetectorSettings settings = DetectorSettings.from(policy.detection, policy.metrics);
        long interval = settings.intervalMillis() / 1000;
        List<Trace> traces = switch (corpus) {
            case "gauges" -> new TraceGenerator(seed).corpus(perScenario, interval, hours * 3600);
            case "go-rough" -> new GoRuntimeModel(seed, true).corpus(perScenario, interval, hours * 3600);
            case "go-runtime" -> new GoRuntimeModel(seed).corpus(perScenario, interval, hours * 3600);
            case "jvm-runtime" -> new JvmRuntimeModel(seed).corpus(perScenario, interval, hours * 3600);
            case "jvm-rough" -> new JvmRoughModel(seed).corpus(perScenario, interval, hours * 3600);
            case "recorded" -> RecordedCorpus.read(Path.of(options.getOrDefault("series", "docs/corpus/recorded")), policy,
                    settings.intervalMillis());
            default -> throw new OfflineCommands.UsageException("--corpus must be gauges, go-runtime, go-rough, jvm-runtime, jvm-rough or recorded");
        };
        if (!Boolean.parseBoolean(options.getOrDefault("load", "true"))) {
            traces = traces.stream().map(Trace::withoutLoad).toList();
        }
        Evaluation.Method leakGuard = Evaluation.remembered(Evaluation.leakGuard(settings));
        List<Evaluation.Score> scores = List.of(
                Evaluation.score(leakGuard, traces),
                Evaluation.score(ReferenceRules.predictLinear(), traces),
                Evaluation.score(ReferenceRules.threshold95(), traces));
        String what = corpus.equals("recorded") ? traces.size() + " recorded pods"
                : "seed " + seed + ", " + perScenario + " traces per scenario, " + hours + "h each";
        StringBuilder report = new StringBuilder("Corpus " + corpus + ": " + what + ", at a " + interval + "s interval, "
                + options.getOrDefault("policy", "default LeakPolicy") + ".\n\n" + Evaluation.table(scores));
        if (Boolean.parseBoolean(options.getOrDefault("by-scenario", "false"))) {
            report.append('\n').append(Evaluation.perScenario(leakGuard, traces));
        }
        if (Boolean.parseBoolean(options.getOrDefault("details", "false"))) {
            for (Trace trace : traces) {
                double flagged = leakGuard.firstFlagSeconds(trace);
                out.printf(Locale.ROOT, "%-34s leaking=%-5s diesAt=%8.0fs flaggedAt=%8.0fs lead=%6.1fmin%s%n",
                        trace.name(), trace.leaking(), trace.oomAtSeconds(), flagged,
                        (trace.oomAtSeconds() - flagged) / 60.0, threadsFromLeakStart(trace));
            }
        }
        if (Boolean.parseBoolean(options.getOrDefault("misses", "false"))) {
            traces.forEach(t -> misses(t, leakGuard, settings, out));
        }
        if (options.containsKey("explain")) {
            traces.stream().filter(t -> t.name().equals(options.get("explain"))).forEach(t -> explain(t, settings, out));
        }
        if (options.containsKey("output")) {
            Files.writeString(Path.of(options.get("output")), report);
        }
        out.print(report);
        return LeakGuardMain.OK;
    }

    /** For a leak with a start: its threads then, an hour later and at the end, and the delay to its first flag. */
    private static String threadsFromLeakStart(Trace trace) {
        if (!trace.leaking() || Double.isNaN(trace.leakStartSeconds())) {
            return "";
        }
        double[] threads = trace.threads();
        int start = (int) Math.min(threads.length - 1, Math.round(trace.leakStartSeconds() / trace.intervalSeconds()));
        int hour = (int) Math.min(threads.length - 1, start + 3600 / trace.intervalSeconds());
        return String.format(Locale.ROOT, " leakStart=%6.0fs threads=%6.0f ->%6.0f (1h) ->%6.0f (end)",
                trace.leakStartSeconds(), threads[start], threads[hour], threads[threads.length - 1]);
    }

    private static LeakPolicySpec defaultGoPolicy() {
        LeakPolicySpec spec = new LeakPolicySpec();
        spec.runtime = Runtime.Go;
        spec.detection = new DetectionSpec();
        spec.metrics = new MetricsSpec();
        return spec;
    }

    /**
     * For a healthy trace that was flagged, the reason given when it was first judged Leaking; for a
     * leak that died without being flagged in time, the verdict five minutes before its death.
     */
    private static void misses(Trace trace, Evaluation.Method leakGuard, DetectorSettings settings, PrintStream out) {
        double flagged = leakGuard.firstFlagSeconds(trace);
        boolean falsePositive = !trace.leaking() && !Double.isNaN(flagged);
        double deadline = trace.oomAtSeconds() - Evaluation.MIN_LEAD_SECONDS;
        boolean missed = trace.leaking() && !Double.isNaN(trace.oomAtSeconds()) && !(flagged <= deadline);
        if (!falsePositive && !missed) {
            return;
        }
        double at = falsePositive ? flagged : deadline;
        Evaluation.replay(trace, settings, (i, verdict) -> {
            if (trace.timeSeconds(i) < at) {
                return true;
            }
            out.printf(Locale.ROOT, "%s %-30s t=%6ds threads=%6.0f %-10s %s%n", falsePositive ? "FLAGGED" : "MISSED ",
                    trace.name(), trace.timeSeconds(i), verdict.latestThreads(), verdict.kind(), verdict.reason());
            return false;
        });
    }

    /** Prints the detector's verdict on one trace every five minutes, and at each change of verdict. */
    private static void explain(Trace trace, DetectorSettings settings, PrintStream out) {
        Object[] last = {null};
        Evaluation.replay(trace, settings, (i, verdict) -> {
            boolean changed = verdict.kind() != last[0];
            last[0] = verdict.kind();
            if (trace.timeSeconds(i) % 300 == 0 || changed) {
                double[] allocated = trace.allocated();
                double load = allocated == null || i == 0 ? Double.NaN
                        : (allocated[i] - allocated[i - 1]) / trace.intervalSeconds() / 1048576.0;
                out.printf(Locale.ROOT, "t=%6ds mem=%5.1f%% heap=%7.1fMiB thr=%6.0f load=%7.2fMiB/s %-16s %s%n",
                        trace.timeSeconds(i), 100 * trace.memory()[i] / trace.memoryLimitBytes(), trace.heap()[i] / 1048576.0,
                        trace.threads()[i], load, verdict.kind(), verdict.reason());
            }
            return true;
        });
    }
}
