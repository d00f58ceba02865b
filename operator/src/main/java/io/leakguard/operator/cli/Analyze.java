package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.leakguard.operator.diagnostics.DumpParser;
import io.leakguard.operator.diagnostics.StackGroups;
import io.leakguard.operator.diagnostics.ThreadDump;
import io.leakguard.operator.spec.PolicyValidator;

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
        ThreadDump trigger = read(Path.of(dumpFile), err);
        ThreadDump baseline = baselineFile == null ? null : read(Path.of(baselineFile), err);
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


    /** The operator's own cap on a dump (spec.diagnostics.threadDump.maxBytes at most 16Mi). */
    static final long MAX_DUMP_BYTES = PolicyValidator.MAX_DUMP_BYTES;

    private static ThreadDump read(Path file, PrintStream err) throws IOException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_DUMP_BYTES) {
                throw new IOException(file + ": " + size + " bytes is larger than the " + MAX_DUMP_BYTES
                        + " bytes LeakGuard reads from a dump; cut it (head -c 16M) and analyze the part");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        }
        ThreadDump dump = DumpParser.parse(new String(bytes, StandardCharsets.UTF_8), false);
        if (dump.entries().isEmpty()) {
            throw new IOException(file + ": unreadable: " + String.join("; ", dump.warnings()));
        }
        for (String warning : dump.warnings()) {
            err.println("warning: " + file + ": " + warning);
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
