package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Go runtime's goroutine-leak profile, from real programs built with Go 1.26 (GOEXPERIMENT on) and Go 1.27:
 * at debug=2 it lists every goroutine and tags those proven leaked; at debug=1 it counts only those. Only the
 * proven ones are reported as leaks.
 */
class GoroutineLeakProfileTest {

    @ParameterizedTest
    @ValueSource(strings = {"go1.26-experiment-goroutineleak-debug2.txt", "go1.27-goroutineleak-debug2.txt"})
    void atDebug2OnlyTheGoroutinesTaggedLeakedAreReportedAsProvenLeaks(String fixture) throws IOException {
        String text = DumpParserTest.fixture(fixture);
        int tagged = text.split("\\(leaked\\)\\]:", -1).length - 1;
        ThreadDump profile = DumpParser.parse(text, false);
        assertThat(profile.entries().size()).as("every goroutine is listed").isGreaterThan(tagged);

        ThreadDump proven = DumpAnalysis.provenLeaks(profile);

        assertThat(proven.total()).isEqualTo(tagged).isGreaterThanOrEqualTo(20);
        List<StackGroups.Group> groups = StackGroups.diff((ThreadDump) null, proven, Set.of());
        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g.signature().topFunction()).isEqualTo("main.worker");
            assertThat(g.signature().createdBy()).isEqualTo("main.leak");
            assertThat(g.blocked()).isTrue();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"go1.26-experiment-goroutineleak-debug1.txt", "go1.27-goroutineleak-debug1.txt"})
    void atDebug1TheCountsAreTheProvenLeaks(String fixture) throws IOException {
        String text = DumpParserTest.fixture(fixture);
        int total = Integer.parseInt(text.lines().findFirst().orElseThrow().replaceAll("\\D+", ""));
        ThreadDump profile = DumpParser.parse(text, false);

        assertThat(profile.format()).isEqualTo(ThreadDump.Format.GoDebug1);
        assertThat(DumpAnalysis.provenLeaks(profile).total()).isEqualTo(total).isGreaterThanOrEqualTo(20);
        assertThat(StackGroups.diff((ThreadDump) null, profile, Set.of()).get(0).signature().frames().get(0).function())
                .isEqualTo("main.worker");
    }

    @ParameterizedTest
    @ValueSource(strings = {"go1.27-pprof-labels-goroutineleak-debug2.txt", "go1.27-tracebacklabels-goroutineleak-debug2.txt"})
    void goroutinesRunWithPprofLabelsAreStillReadAndTheirLeaksProven(String fixture) throws IOException {
        ThreadDump proven = DumpAnalysis.provenLeaks(DumpParser.parse(DumpParserTest.fixture(fixture), false));

        assertThat(proven.total()).isEqualTo(3);
        assertThat(proven.entries()).allSatisfy(e -> {
            assertThat(e.state()).isEqualTo("chan send (leaked)");
            assertThat(e.frames().get(0).function()).isEqualTo("main.worker");
        });
    }

    @Test
    void labelledHeaderLinesOfAGoroutineDumpGroupAsTheStacksTheyHead() throws IOException {
        // Go 1.27 with GODEBUG=tracebacklabels=1: "goroutine 5 [chan send] {handler: checkout, tenant: shop}:".
        ThreadDump dump = DumpParser.parse(DumpParserTest.fixture("go1.27-tracebacklabels-goroutine-debug2.txt"), false);

        assertThat(dump.warnings()).isEmpty();
        List<StackGroups.Group> groups = StackGroups.diff((ThreadDump) null, dump, Set.of());
        assertThat(groups.get(0).after()).isEqualTo(3);
        assertThat(groups.get(0).signature().topFunction()).isEqualTo("main.worker");
        assertThat(groups.get(0).signature().state()).isEqualTo("chan send");
    }

    @ParameterizedTest
    @ValueSource(strings = {"go1.27-goroutineleak-debug2.txt"})
    void theStoredReportSaysHowManyWereProvenAndNamesTheirStack(String fixture) throws IOException {
        String trigger = DumpParserTest.fixture("go1.19-debug2-trigger.txt");
        CollectedDump dump = new CollectedDump(trigger, false, "test", DumpParserTest.fixture(fixture), List.of());

        DumpAnalysis analysis = DumpAnalysis.of(dump, null, Set.of());

        assertThat(analysis.report()).contains("20 goroutines proven leaked").contains("main.worker")
                .doesNotContain("net/http/pprof");
    }

    @Test
    void aTriggerReportsOnlyTheLeaksProvenSinceItsBaselinesProfile() throws IOException {
        // Two real captures of the same leak site: 20 proven leaked at the baseline, 25 at the trigger.
        var baseline = StackGroups.count(DumpAnalysis.provenLeaks(
                DumpParser.parse(DumpParserTest.fixture("go1.27-goroutineleak-debug1.txt"), false)));
        String trigger = DumpParserTest.fixture("go1.19-debug2-trigger.txt");
        CollectedDump dump = new CollectedDump(trigger, false, "test",
                DumpParserTest.fixture("go1.26-experiment-goroutineleak-debug1.txt"), List.of());

        DumpAnalysis analysis = DumpAnalysis.of(dump, null, baseline, Set.of());

        assertThat(analysis.report()).contains("25 goroutines proven leaked").contains("5 of them since the baseline")
                .contains("+5 goroutines");
        assertThat(analysis.proven()).startsWith("25 goroutines proven leaked by the Go runtime's leak profile (+5 since"
                + " the baseline); largest group: +5 goroutines");

        DumpAnalysis nothingNew = DumpAnalysis.of(new CollectedDump(trigger, false, "test",
                DumpParserTest.fixture("go1.27-goroutineleak-debug1.txt"), List.of()), null, baseline, Set.of());
        assertThat(nothingNew.report()).contains("0 of them since the baseline");
        assertThat(nothingNew.proven()).isEqualTo("20 goroutines proven leaked by the Go runtime's leak profile"
                + " (+0 since the baseline)");
    }
}
