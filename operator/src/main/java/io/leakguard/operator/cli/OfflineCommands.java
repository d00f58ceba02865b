package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.evaluation.Evaluation;
import io.leakguard.operator.evaluation.Trace;
import io.leakguard.operator.evaluation.TraceGenerator;

/** The commands that run without a cluster. Each returns a process exit code. */
final class OfflineCommands {

    private static final Set<String> COMMANDS = Set.of("backtest", "evaluate", "generate", "bench", "analyze", "help", "--help");

    private OfflineCommands() {
    }

    static boolean handles(String command) {
        return COMMANDS.contains(command);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args[0].equals("analyze")) {
                return Analyze.run(args, out, err);
            }
            Map<String, String> options = options(args);
            return switch (args[0]) {
                case "evaluate" -> evaluate(options, out);
                case "backtest" -> Backtest.run(options, out, err);
                case "generate" -> Generate.run(options, err);
                case "bench" -> Bench.run(options, out);
                default -> {
                    LeakGuardMain.usage(out);
                    yield LeakGuardMain.OK;
                }
            };
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            LeakGuardMain.usage(err);
            return LeakGuardMain.USAGE;
        } catch (NumberFormatException e) {
            err.println("error: a numeric option is not a number: " + e.getMessage());
            return LeakGuardMain.USAGE;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return LeakGuardMain.USAGE;
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new UsageException("unexpected argument '" + args[i] + "'");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(args[i] + " needs a value");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static int evaluate(Map<String, String> options, PrintStream out) throws IOException {
        long seed = Long.parseLong(options.getOrDefault("seed", "42"));
        int perScenario = Integer.parseInt(options.getOrDefault("per-scenario", "20"));
        long hours = Long.parseLong(options.getOrDefault("hours", "8"));
        List<Trace> traces = new TraceGenerator(seed).corpus(perScenario, 15, hours * 3600);
        DetectorSettings settings = DetectorSettings.from(new DetectionSpec(), new MetricsSpec());
        List<Evaluation.Score> scores = List.of(
                Evaluation.score(Evaluation.leakGuard(settings), traces),
                Evaluation.score(Evaluation.predictLinear(), traces),
                Evaluation.score(Evaluation.threshold95(), traces));
        String table = "Corpus: seed " + seed + ", " + perScenario + " traces per scenario, " + hours
                + "h each at a 15s interval, default LeakPolicy.\n\n" + Evaluation.table(scores);
        if (Boolean.parseBoolean(options.getOrDefault("details", "false"))) {
            Evaluation.Method leakGuard = Evaluation.leakGuard(settings);
            for (Trace trace : traces) {
                double flagged = leakGuard.firstFlagSeconds(trace);
                out.printf(java.util.Locale.ROOT, "%-28s leaking=%-5s oomAt=%8.0fs flaggedAt=%8.0fs lead=%6.1fmin%n",
                        trace.name(), trace.leaking(), trace.oomAtSeconds(), flagged,
                        (trace.oomAtSeconds() - flagged) / 60.0);
            }
        }
        if (options.containsKey("explain")) {
            for (Trace trace : traces) {
                if (trace.name().equals(options.get("explain"))) {
                    explain(trace, settings, out);
                }
            }
        }
        if (options.containsKey("output")) {
            Files.writeString(Path.of(options.get("output")), table);
        }
        out.print(table);
        return LeakGuardMain.OK;
    }

    /** Prints the detector's verdict on one trace every five minutes. */
    private static void explain(Trace trace, DetectorSettings settings, PrintStream out) {
        Evaluation.replay(trace, settings, new io.leakguard.operator.detection.TrendDetector(), (i, verdict) -> {
            if (trace.timeSeconds(i) % 300 == 0) {
                out.printf(java.util.Locale.ROOT, "t=%6ds mem=%5.1f%% %-16s %s%n", trace.timeSeconds(i),
                        100 * trace.memory()[i] / trace.memoryLimitBytes(), verdict.kind(), verdict.reason());
            }
            return true;
        });
    }

    /** A mistake in how the command was called. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
