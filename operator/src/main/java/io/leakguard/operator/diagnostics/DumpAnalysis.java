package io.leakguard.operator.diagnostics;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Pure: a trigger dump diffed against its baseline's group counts, as the reports that are stored and told:
 * the text report (with the Go runtime's own leak profile when there is one), the JSON report, and the
 * headline of the top group.
 *
 * @param proven what the Go runtime's leak profile proved, in one line ("N goroutines proven leaked ..."), or null
 *     when the dump came without one
 */
public record DumpAnalysis(String report, String json, String headline, String proven) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The goroutines of a leak profile that the runtime proved leaked: at debug=2 the profile lists every
     * goroutine and tags the leaked ones; at debug=1 it counts only those.
     */
    static ThreadDump provenLeaks(ThreadDump profile) {
        if (profile.format() != ThreadDump.Format.GoDebug2) {
            return profile;
        }
        return new ThreadDump(profile.format(), profile.entries().stream().filter(StackEntry::leaked).toList(),
                profile.warnings(), profile.truncated());
    }

    public static DumpAnalysis of(CollectedDump dump, Map<StackGroups.Signature, Integer> baseline, Set<String> ignored) {
        return of(dump, baseline, null, ignored);
    }

    /**
     * @param leakBaseline the proven leaks' group counts in the baseline's leak profile, or null: with it,
     *     only the leaks proven since are reported
     */
    public static DumpAnalysis of(CollectedDump dump, Map<StackGroups.Signature, Integer> baseline,
            Map<StackGroups.Signature, Integer> leakBaseline, Set<String> ignored) {
        ThreadDump parsed = DumpParser.parse(dump.text(), dump.truncated());
        List<StackGroups.Group> ranked = StackGroups.diffFromCounts(baseline == null ? Map.of() : baseline, parsed,
                ignored);
        Integer baselineTotal = baseline == null ? null
                : (int) Math.min(Integer.MAX_VALUE, baseline.values().stream().mapToLong(Integer::longValue).sum());
        String report = StackGroups.report(baselineTotal, parsed, ranked, 5);
        String proven = null;
        if (dump.leakProfile() != null) {
            ThreadDump leaks = provenLeaks(DumpParser.parse(dump.leakProfile(), false));
            Integer before = leakBaseline == null ? null
                    : (int) Math.min(Integer.MAX_VALUE, leakBaseline.values().stream().mapToLong(Integer::longValue).sum());
            List<StackGroups.Group> leakGroups = leakBaseline == null ? StackGroups.diff((ThreadDump) null, leaks, ignored)
                    : StackGroups.diffFromCounts(leakBaseline, leaks, ignored).stream().filter(g -> g.delta() > 0).toList();
            report += "\nThe Go runtime's goroutine-leak profile: " + leaks.total() + " goroutines proven leaked"
                    + " (blocked where nothing can ever wake them)"
                    + (before == null ? "" : ", " + Math.max(0, leaks.total() - before) + " of them since the baseline;"
                            + " only the groups that grew are listed")
                    + "\n" + StackGroups.report(before, leaks, leakGroups, 5);
            String site = StackGroups.headline(before, leaks, leakGroups);
            proven = leaks.total() + " goroutines proven leaked by the Go runtime's leak profile"
                    + (before == null ? "" : " (+" + Math.max(0, leaks.total() - before) + " since the baseline)")
                    + (site == null ? "" : "; largest group: " + site);
        }
        String json;
        try {
            json = JSON.writeValueAsString(StackGroups.reportJson(baselineTotal, parsed, ranked, 20, 10));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new DumpAnalysis(report, json, StackGroups.headline(baselineTotal, parsed, ranked), proven);
    }
}
