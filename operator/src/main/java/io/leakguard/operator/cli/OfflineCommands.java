package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.leakguard.operator.text.StatusText;


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
                case "evaluate" -> Evaluate.run(options, out);
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
        } catch (OutOfMemoryError e) {
            // Inputs are capped so that this does not happen; if one still gets through, say so and exit 2.
            err.println("error: the input does not fit in the heap (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB); give the JVM more (-Xmx) or a smaller input");
            return LeakGuardMain.USAGE;
        } catch (RuntimeException e) {
            err.println("error: " + args[0] + " could not read its input: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + StatusText.clean(e.getMessage(), 300)));
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

    /** A mistake in how the command was called. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
