package io.leakguard.operator.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Go goroutine dumps ({@code debug=2}, with the Go 1.21+ and older created-by forms; and the
 * grouped {@code debug=1} profile) and HotSpot thread dumps into one model. It recognises the format
 * itself. It never throws: garbage, binary data or a dump cut off mid-stack give a partial result
 * with warnings.
 */
public final class DumpParser {

    /** A goroutine's header; Go 1.27 with GODEBUG=tracebacklabels=1 adds its pprof labels: "[chan send] {k: v}:". */
    private static final Pattern GO_HEADER = Pattern.compile(
            "^goroutine (\\d+)(?: gp=\\S+ m=\\S+(?: mp=\\S+)?)? \\[([^\\]]*)\\](?: \\{.*\\})?:\\s*$");
    private static final Pattern GO_DEBUG1_GROUP = Pattern.compile("^(\\d+) @(?: 0x[0-9a-f]+)*\\s*$");
    private static final Pattern GO_DEBUG1_FRAME = Pattern.compile("^#\\s+0x[0-9a-f]+\\s+(\\S+?)(\\+0x[0-9a-f]+)?\\s+(\\S+:\\d+)\\s*$");
    private static final Pattern GO_LOCATION = Pattern.compile("^\\s+(\\S+?):(\\d+)(?: \\+0x[0-9a-f]+)?(?: fp=.*)?\\s*$");
    private static final Pattern GO_CREATED_BY = Pattern.compile("^created by (\\S+)(?: in goroutine (\\d+))?\\s*$");
    private static final Pattern MINUTES = Pattern.compile("(\\d+) minutes?");
    private static final Pattern JVM_HEADER = Pattern.compile("^\"(.*)\" (?:#(\\d+) )?.*$");
    private static final Pattern JVM_STATE = Pattern.compile("^\\s+java\\.lang\\.Thread\\.State: (.+)$");
    // The method may not contain '(': one place to split the line, so a line of '(' with no ')' is linear.
    private static final Pattern JVM_FRAME = Pattern.compile("^\\s+at ([^\\s(]+)\\((.*)\\)\\s*$");
    /** Longer lines are cut before they are matched: no real frame or header comes near it. */
    static final int MAX_LINE = 16 * 1024;
    private static final Pattern JVM_LOCK = Pattern.compile("^\\s+- (waiting on|waiting to lock|parking to wait for)\\s+<[^>]*> \\(a ([^)]+)\\)");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern LAMBDA = Pattern.compile("\\$\\$Lambda[$/0-9a-fx]*");

    private DumpParser() {
    }

    public static ThreadDump parse(String text, boolean truncated) {
        List<String> warnings = new ArrayList<>();
        if (text == null || text.isBlank()) {
            warnings.add("the dump is empty");
            return new ThreadDump(ThreadDump.Format.Unknown, List.of(), warnings, truncated);
        }
        int control = 0;
        int sample = Math.min(text.length(), 4096);
        for (int i = 0; i < sample; i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                control++;
            }
        }
        if (control > sample / 20) {
            warnings.add("the dump looks binary (" + control + " control characters in the first " + sample
                    + "); was it compressed or a pprof protobuf? Ask for debug=1 or debug=2");
        }
        ThreadDump.Format format = detect(text);
        ThreadDump dump = switch (format) {
            case GoDebug2 -> parseGoDebug2(text, warnings, truncated);
            case GoDebug1 -> parseGoDebug1(text, warnings, truncated);
            case HotSpot -> parseHotSpot(text, warnings, truncated);
            case Unknown -> {
                warnings.add("not a Go goroutine dump (debug=1 or 2) nor a HotSpot thread dump");
                yield new ThreadDump(format, List.of(), warnings, truncated);
            }
        };
        if (truncated) {
            warnings.add("the dump was cut off at the size limit: the counts are lower bounds");
        } else if (format != ThreadDump.Format.Unknown && looksCut(text, format)) {
            warnings.add("the dump ends mid-stack (no line end, or a frame without its location): it looks cut off,"
                    + " and the counts are lower bounds");
            return new ThreadDump(dump.format(), dump.entries(), dump.warnings(), true);
        }
        return dump;
    }

    /**
     * Whether a dump that was not cut by the collector ends as if it had been: without a final line end, or
     * (Go) on a function line whose location line never came. Every complete Go dump ends on a location.
     */
    static boolean looksCut(String text, ThreadDump.Format format) {
        if (!text.endsWith("\n")) {
            return true;
        }
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        int start = text.lastIndexOf('\n', end - 1) + 1;
        String last = text.substring(start, end);
        return switch (format) {
            case GoDebug2 -> !last.startsWith("\t") && !last.startsWith(" ");
            case GoDebug1 -> !last.startsWith("#");
            default -> false;
        };
    }

    /** The dump's lines, each cut to {@link #MAX_LINE} characters. */
    /** More goroutines than any process holds: a debug=1 count above it is a lie, and would overflow sums. */
    static final int MAX_GROUP_COUNT = 100_000_000;

    private static List<String> lines(String text) {
        return text.lines().map(DumpParser::cut).toList();
    }

    private static String cut(String line) {
        return line.length() > MAX_LINE ? line.substring(0, MAX_LINE) : line;
    }

    static ThreadDump.Format detect(String text) {
        for (String line : text.lines().limit(200).map(DumpParser::cut).toList()) {
            if (GO_HEADER.matcher(line).matches()) {
                return ThreadDump.Format.GoDebug2;
            }
            if (line.startsWith("goroutine profile: total") || line.startsWith("goroutineleak profile: total")) {
                return ThreadDump.Format.GoDebug1;
            }
            if (line.startsWith("Full thread dump") || JVM_STATE.matcher(line).matches()) {
                return ThreadDump.Format.HotSpot;
            }
        }
        return ThreadDump.Format.Unknown;
    }

    private static ThreadDump parseGoDebug2(String text, List<String> warnings, boolean truncated) {
        List<StackEntry> entries = new ArrayList<>();
        List<String> lines = lines(text);
        int skipped = 0;
        int i = 0;
        while (i < lines.size()) {
            Matcher header = GO_HEADER.matcher(lines.get(i));
            if (!header.matches()) {
                if (!lines.get(i).isBlank()) {
                    skipped++;
                }
                i++;
                continue;
            }
            String id = header.group(1);
            String[] status = header.group(2).split(", ");
            String state = status[0];
            int minutes = -1;
            for (String part : status) {
                Matcher m = MINUTES.matcher(part);
                if (m.matches()) {
                    minutes = Integer.parseInt(m.group(1));
                }
            }
            i++;
            List<Frame> frames = new ArrayList<>();
            String createdBy = "";
            String createdAt = "";
            while (i < lines.size() && !lines.get(i).isBlank()) {
                String line = lines.get(i);
                if (GO_HEADER.matcher(line).matches()) {
                    break;
                }
                Matcher created = GO_CREATED_BY.matcher(line);
                if (created.matches()) {
                    createdBy = created.group(1);
                    if (i + 1 < lines.size()) {
                        Matcher at = GO_LOCATION.matcher(lines.get(i + 1));
                        if (at.matches()) {
                            createdAt = shortFile(at.group(1)) + ":" + at.group(2);
                            i++;
                        }
                    }
                } else if (line.startsWith("...") && line.contains("frames elided")) {
                    frames.add(new Frame("...additional frames elided...", ""));
                } else if (!line.startsWith("\t") && !line.startsWith(" ")) {
                    String function = stripGoArguments(line);
                    String location = "";
                    if (i + 1 < lines.size()) {
                        Matcher at = GO_LOCATION.matcher(lines.get(i + 1));
                        if (at.matches()) {
                            location = shortFile(at.group(1)) + ":" + at.group(2);
                            i++;
                        }
                    }
                    frames.add(new Frame(function, location));
                }
                i++;
            }
            if (truncated && i >= lines.size()) {
                warnings.add("the last goroutine (" + id + ") was cut off and is left out");
                continue;
            }
            entries.add(new StackEntry(id, state, minutes, createdBy, createdAt, "", List.copyOf(frames), 1));
        }
        if (skipped > 0) {
            warnings.add(skipped + " lines outside any goroutine were skipped");
        }
        if (entries.isEmpty()) {
            warnings.add("no goroutine could be read");
        }
        return new ThreadDump(ThreadDump.Format.GoDebug2, entries, warnings, truncated);
    }

    private static ThreadDump parseGoDebug1(String text, List<String> warnings, boolean truncated) {
        List<StackEntry> entries = new ArrayList<>();
        List<String> lines = lines(text);
        int skipped = 0;
        int capped = 0;
        int i = 0;
        while (i < lines.size()) {
            Matcher group = GO_DEBUG1_GROUP.matcher(lines.get(i));
            if (!group.matches()) {
                String line = lines.get(i);
                if (!line.isBlank() && !line.startsWith("goroutine profile:") && !line.startsWith("goroutineleak profile:")
                        && !line.startsWith("# labels")) {
                    skipped++;
                }
                i++;
                continue;
            }
            int count;
            try {
                long asked = Long.parseLong(group.group(1));
                count = (int) Math.min(asked, MAX_GROUP_COUNT);
                if (asked > MAX_GROUP_COUNT) {
                    capped++;
                }
            } catch (NumberFormatException e) {
                skipped++;
                i++;
                continue;
            }
            i++;
            List<Frame> frames = new ArrayList<>();
            while (i < lines.size() && lines.get(i).startsWith("#")) {
                Matcher frame = GO_DEBUG1_FRAME.matcher(lines.get(i));
                if (frame.matches()) {
                    String location = frame.group(3);
                    int colon = location.lastIndexOf(':');
                    frames.add(new Frame(frame.group(1), shortFile(location.substring(0, colon)) + location.substring(colon)));
                }
                i++;
            }
            entries.add(new StackEntry("", "", -1, "", "", "", List.copyOf(frames), count));
        }
        if (skipped > 0) {
            warnings.add(skipped + " lines outside any group were skipped");
        }
        if (capped > 0) {
            warnings.add(capped + " groups claimed more than " + MAX_GROUP_COUNT + " goroutines and were capped there");
        }
        warnings.add("debug=1 profiles carry no goroutine states or creators; ask for debug=2 for those");
        return new ThreadDump(ThreadDump.Format.GoDebug1, entries, warnings, truncated);
    }

    private static ThreadDump parseHotSpot(String text, List<String> warnings, boolean truncated) {
        List<StackEntry> entries = new ArrayList<>();
        List<String> lines = lines(text);
        int i = 0;
        while (i < lines.size()) {
            Matcher header = JVM_HEADER.matcher(lines.get(i));
            if (!header.matches()) {
                i++;
                continue;
            }
            String name = header.group(1);
            String id = header.group(2) == null ? "" : header.group(2);
            i++;
            String state = "";
            String blockedOn = "";
            List<Frame> frames = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isBlank() && !lines.get(i).startsWith("\"")) {
                String line = lines.get(i);
                Matcher st = JVM_STATE.matcher(line);
                Matcher frame = JVM_FRAME.matcher(line);
                Matcher lock = JVM_LOCK.matcher(line);
                if (st.matches()) {
                    state = st.group(1).trim();
                } else if (frame.matches()) {
                    // Lambda classes carry a per-run address: ThreadLeaker$$Lambda/0x0000000026154210.run
                    frames.add(new Frame(LAMBDA.matcher(frame.group(1)).replaceAll("\\$\\$Lambda"),
                            jvmLocation(frame.group(2))));
                } else if (lock.find() && blockedOn.isEmpty()) {
                    blockedOn = lock.group(2);
                }
                i++;
            }
            if (truncated && i >= lines.size()) {
                warnings.add("the last thread (\"" + name + "\") was cut off and is left out");
                continue;
            }
            if (state.isEmpty() && frames.isEmpty()) {
                // VM-internal threads (GC, compiler) print no state and no Java frames.
                state = "VM internal";
            }
            entries.add(new StackEntry(id, state, -1, DIGITS.matcher(name).replaceAll("N"), "", blockedOn,
                    List.copyOf(frames), 1));
        }
        if (entries.isEmpty()) {
            warnings.add("no thread could be read");
        }
        return new ThreadDump(ThreadDump.Format.HotSpot, entries, warnings, truncated);
    }

    /** "main.worker(0xc000012345, 0x10)" -> "main.worker"; method values like "main.(*S).f(...)" keep their receiver. */
    static String stripGoArguments(String line) {
        String trimmed = line.trim();
        if (trimmed.endsWith(")")) {
            int depth = 0;
            for (int i = trimmed.length() - 1; i >= 0; i--) {
                char c = trimmed.charAt(i);
                if (c == ')') {
                    depth++;
                } else if (c == '(') {
                    depth--;
                    if (depth == 0) {
                        return trimmed.substring(0, i);
                    }
                }
            }
        }
        return trimmed;
    }

    /** "java.base@17.0.15/Object.java:338" -> "Object.java:338"; "Native Method" stays. */
    private static String jvmLocation(String inside) {
        int slash = inside.lastIndexOf('/');
        return slash >= 0 ? inside.substring(slash + 1) : inside;
    }

    /** Keeps the file name, so that build paths do not split a signature. */
    static String shortFile(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }
}
