package io.leakguard.operator.diagnostics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Groups goroutines or threads by stack signature (state, creator, lock, frames without arguments),
 * diffs a trigger dump against an earlier baseline, and ranks what grew: blocked states first,
 * then by growth, then by how long they have waited. Pure: dumps in, ranked groups out.
 */
public final class StackGroups {

    private static final Set<String> GO_BLOCKED = Set.of("chan send", "chan receive", "select", "semacquire",
            "sync.Cond.Wait", "IO wait", "sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock",
            "chan send (nil chan)", "chan receive (nil chan)", "select (no cases)", "sync.WaitGroup.Wait");

    private StackGroups() {
    }

    /** What identifies a group. */
    public record Signature(String state, String createdBy, String blockedOn, List<Frame> frames) {
        /** The first frame outside the language runtime: what goleak's IgnoreTopFunction compares. */
        public String topFunction() {
            return frames.stream().map(Frame::function).filter(f -> !isRuntime(f)).findFirst()
                    .orElse(frames.isEmpty() ? "" : frames.get(0).function());
        }

        /** Up to {@code n} frames from the first one outside the runtime: what a developer wants to see. */
        public List<Frame> interestingFrames(int n) {
            int first = 0;
            while (first < frames.size() && isRuntime(frames.get(first).function())) {
                first++;
            }
            if (first == frames.size()) {
                first = 0;
            }
            return frames.subList(first, Math.min(frames.size(), first + n));
        }
    }

    /** One group's count in the baseline and in the trigger dump. */
    public record Group(Signature signature, int before, int after, int maxWaitMinutes, String createdAt) {
        public int delta() {
            return after - before;
        }

        public boolean blocked() {
            return isBlocked(signature.state());
        }
    }

    static boolean isRuntime(String function) {
        return function.startsWith("runtime.") || function.startsWith("java.") || function.startsWith("jdk.internal.")
                || function.startsWith("sun.");
    }

    static boolean isBlocked(String state) {
        if (state.endsWith(StackEntry.LEAKED)) {
            return true;
        }
        if (GO_BLOCKED.contains(state)) {
            return true;
        }
        return state.startsWith("WAITING") || state.startsWith("TIMED_WAITING") || state.startsWith("BLOCKED");
    }

    private static int saturatingSum(int a, int b) {
        return (int) Math.min(Integer.MAX_VALUE, (long) a + b);
    }

    public static Map<Signature, Integer> count(ThreadDump dump) {
        Map<Signature, Integer> counts = new LinkedHashMap<>();
        for (StackEntry entry : dump.entries()) {
            counts.merge(signature(entry), entry.count(), StackGroups::saturatingSum);
        }
        return counts;
    }

    static Signature signature(StackEntry entry) {
        return new Signature(entry.state(), entry.createdBy(), entry.blockedOn(), entry.frames());
    }

    /**
     * The groups of {@code trigger}, with their counts in {@code baseline} (null: no baseline, every
     * group counts as grown from zero), ranked, without groups whose top frame is in {@code ignored}.
     */
    public static List<Group> diff(ThreadDump baseline, ThreadDump trigger, Set<String> ignored) {
        return diffFromCounts(baseline == null ? Map.of() : count(baseline), trigger, ignored);
    }

    /** As {@link #diff(ThreadDump, ThreadDump, Set)}, from the baseline's group counts (what is kept in memory). */
    public static List<Group> diffFromCounts(Map<Signature, Integer> before, ThreadDump trigger, Set<String> ignored) {
        Map<Signature, Integer> maxWait = new LinkedHashMap<>();
        Map<Signature, String> createdAt = new LinkedHashMap<>();
        for (StackEntry entry : trigger.entries()) {
            Signature sig = signature(entry);
            maxWait.merge(sig, entry.waitMinutes(), Math::max);
            createdAt.putIfAbsent(sig, entry.createdAt());
        }
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<Signature, Integer> e : count(trigger).entrySet()) {
            if (ignored.contains(e.getKey().topFunction())) {
                continue;
            }
            groups.add(new Group(e.getKey(), before.getOrDefault(e.getKey(), 0), e.getValue(),
                    maxWait.getOrDefault(e.getKey(), -1), createdAt.getOrDefault(e.getKey(), "")));
        }
        groups.sort(Comparator.comparing((Group g) -> g.delta() <= 0)
                .thenComparing(g -> !g.blocked())
                .thenComparing(Comparator.comparingInt(Group::delta).reversed())
                .thenComparing(Comparator.comparingInt(Group::after).reversed())
                .thenComparing(Comparator.comparingInt(Group::maxWaitMinutes).reversed()));
        return groups;
    }

    /** The few top groups as people read them, e.g. "+4,812 goroutines  chan send  created by ...". */
    /**
     * The top group in one line (count, state, creator, first interesting frame), as Slack, Events and status
     * show it; null when nothing grew (or nothing is there).
     */
    public static String headline(Integer baselineTotal, ThreadDump trigger, List<Group> ranked) {
        if (ranked.isEmpty() || (baselineTotal != null && ranked.get(0).delta() <= 0)) {
            return null;
        }
        Group group = ranked.get(0);
        List<Frame> frames = group.signature().interestingFrames(1);
        String line = head(baselineTotal, trigger, group)
                + (frames.isEmpty() ? "" : " / " + frames.get(0).toString().trim().replaceAll("\\s{2,}", " "));
        return line.length() > 500 ? line.substring(0, 497) + "..." : line;
    }

    /** A group's first report line: its count (or growth), state, wait, lock and creator. */
    private static String head(Integer baselineTotal, ThreadDump trigger, Group group) {
        String unit = trigger.format().isGo() ? "goroutines" : "threads";
        StringBuilder out = new StringBuilder(baselineTotal == null ? number(group.after()) : "+" + number(group.delta()))
                .append(' ').append(unit).append("  ")
                .append(group.signature().state().isEmpty() ? "(state unknown)" : group.signature().state());
        if (group.maxWaitMinutes() > 0) {
            out.append(", up to ").append(group.maxWaitMinutes()).append(" min");
        }
        if (!group.signature().blockedOn().isEmpty()) {
            out.append(" on ").append(group.signature().blockedOn());
        }
        if (!group.signature().createdBy().isEmpty()) {
            out.append(trigger.format().isGo() ? "  created by " : "  thread ").append(group.signature().createdBy());
            if (!group.createdAt().isEmpty()) {
                out.append(" at ").append(group.createdAt());
            }
        }
        return out.toString();
    }

    public static String report(Integer baselineTotal, ThreadDump trigger, List<Group> ranked, int top) {
        String unit = trigger.format().isGo() ? "goroutines" : "threads";
        StringBuilder out = new StringBuilder();
        out.append(trigger.format().description()).append(": ").append(number(trigger.total())).append(' ').append(unit);
        if (baselineTotal != null) {
            out.append(" (").append(number(baselineTotal)).append(" in the baseline dump)");
        }
        out.append('\n');
        int shown = 0;
        for (Group group : ranked) {
            if (shown == top || (baselineTotal != null && group.delta() <= 0)) {
                break;
            }
            String headLine = head(baselineTotal, trigger, group);
            String pad = " ".repeat(headLine.indexOf(unit) + unit.length() + 2);
            out.append(headLine).append('\n');
            group.signature().interestingFrames(3).forEach(frame -> out.append(pad).append(frame).append('\n'));
            shown++;
        }
        if (shown == 0) {
            out.append(baselineTotal == null ? "no goroutines or threads\n" : "no group grew since the baseline dump\n");
        }
        for (String warning : trigger.warnings()) {
            out.append("warning: ").append(warning).append('\n');
        }
        return out.toString();
    }

    /**
     * The ranked groups as JSON-ready maps: the same report as {@link #report}, for machines.
     *
     * @param baselineTotal goroutines or threads in the baseline dump, or null without one
     */
    public static Map<String, Object> reportJson(Integer baselineTotal, ThreadDump trigger, List<Group> ranked, int top,
            int maxFrames) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("format", trigger.format().name());
        report.put("total", trigger.total());
        report.put("baselineTotal", baselineTotal);
        report.put("truncated", trigger.truncated());
        report.put("warnings", trigger.warnings());
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Group g : ranked.subList(0, Math.min(top, ranked.size()))) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("count", g.after());
            group.put("delta", baselineTotal == null ? null : g.delta());
            group.put("state", g.signature().state());
            group.put("blocked", g.blocked());
            group.put("createdBy", g.signature().createdBy());
            group.put("createdAt", g.createdAt());
            group.put("blockedOn", g.signature().blockedOn());
            group.put("maxWaitMinutes", g.maxWaitMinutes() < 0 ? null : g.maxWaitMinutes());
            group.put("frames", g.signature().frames().stream().limit(maxFrames).map(Frame::toString).toList());
            groups.add(group);
        }
        report.put("groups", groups);
        return report;
    }

    private static String number(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
