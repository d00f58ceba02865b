package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.leakguard.operator.diagnostics.DumpParser;
import io.leakguard.operator.diagnostics.StackGroups;
import io.leakguard.operator.diagnostics.ThreadDump;

/** {@code analyze DUMP [--baseline OLDER_DUMP] [--json] [--top N]}: which stacks grew, ranked. */
final class Analyze {

    private Analyze() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        String dumpFile = null;
        String baselineFile = null;
        boolean json = false;
        int top = 5;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--baseline" -> baselineFile = value(args, ++i, "--baseline");
                case "--top" -> top = Integer.parseInt(value(args, ++i, "--top"));
                default -> {
                    if (args[i].startsWith("--") || dumpFile != null) {
                        throw new OfflineCommands.UsageException("unexpected argument '" + args[i] + "'");
                    }
                    dumpFile = args[i];
                }
            }
        }
        if (dumpFile == null) {
            throw new OfflineCommands.UsageException("name the dump to analyze");
        }
        ThreadDump trigger = read(Path.of(dumpFile));
        ThreadDump baseline = baselineFile == null ? null : read(Path.of(baselineFile));
        if (baseline != null && baseline.format().isGo() != trigger.format().isGo()) {
            err.println("error: " + baselineFile + " is a " + baseline.format().description() + " but " + dumpFile
                    + " is a " + trigger.format().description() + "; compare dumps of the same runtime");
            return LeakGuardMain.USAGE;
        }
        List<StackGroups.Group> ranked = StackGroups.diff(baseline, trigger, Set.of());
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(StackGroups.reportJson(baseline == null ? null : baseline.total(), trigger, ranked,
                            top, Integer.MAX_VALUE)));
        } else {
            out.print(StackGroups.report(baseline == null ? null : baseline.total(), trigger, ranked, top));
        }
        return LeakGuardMain.OK;
    }


    private static ThreadDump read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        }
        ThreadDump dump = DumpParser.parse(new String(bytes, StandardCharsets.UTF_8), false);
        if (dump.entries().isEmpty()) {
            throw new IOException(file + ": unreadable: " + String.join("; ", dump.warnings()));
        }
        return dump;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new OfflineCommands.UsageException(option + " needs a value");
        }
        return args[i];
    }
}
