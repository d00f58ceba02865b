package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parsers and the diff on real dumps (see src/test/resources/dumps/README.md), and on broken ones. */
class DumpParserTest {

    static String fixture(String name) throws IOException {
        try (InputStream in = DumpParserTest.class.getResourceAsStream("/dumps/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void goDebug2DiffPutsTheLeakingWorkerFirstWithItsGrowth() throws IOException {
        ThreadDump baseline = DumpParser.parse(fixture("go1.19-debug2-baseline.txt"), false);
        ThreadDump trigger = DumpParser.parse(fixture("go1.19-debug2-trigger.txt"), false);
        assertThat(trigger.format()).isEqualTo(ThreadDump.Format.GoDebug2);
        assertThat(trigger.total()).isEqualTo(86);
        assertThat(baseline.total()).isEqualTo(26);

        StackGroups.Group top = StackGroups.diff(baseline, trigger, Set.of()).get(0);

        assertThat(top.signature().state()).isEqualTo("chan send");
        assertThat(top.signature().topFunction()).isEqualTo("main.worker");
        assertThat(top.signature().createdBy()).isEqualTo("main.leak");
        assertThat(top.delta()).isEqualTo(60);
        assertThat(top.blocked()).isTrue();
    }

    @Test
    void goDebug1ProfileGroupsByCount() throws IOException {
        ThreadDump dump = DumpParser.parse(fixture("go1.19-debug1.txt"), false);
        assertThat(dump.format()).isEqualTo(ThreadDump.Format.GoDebug1);
        assertThat(dump.total()).isEqualTo(86);
        StackGroups.Group top = StackGroups.diff(null, dump, Set.of()).get(0);
        assertThat(top.after()).isEqualTo(80);
        assertThat(top.signature().frames()).containsExactly(new Frame("main.worker", "main.go:66"));
    }

    @Test
    void debug1CountsThatWouldOverflowAreCappedAndSaidSoInsteadOfWrappingNegative() {
        String profile = "goroutine profile: total 4294967294\n"
                + "2147483647 @ 0x1 0x2\n#\t0x1\tmain.worker+0x1\t/src/main.go:66\n\n"
                + "2147483647 @ 0x1 0x2\n#\t0x1\tmain.worker+0x1\t/src/main.go:66\n\n"
                + "99999999999999999999 @ 0x3\n#\t0x3\tmain.other+0x1\t/src/main.go:70\n\n";

        ThreadDump dump = DumpParser.parse(profile, false);

        assertThat(dump.total()).isPositive();
        assertThat(StackGroups.diff(null, dump, Set.of())).allSatisfy(g -> assertThat(g.after()).isPositive());
        assertThat(dump.warnings()).anySatisfy(w -> assertThat(w).contains("were capped"));
    }

    @Test
    void go121CreatedByInGoroutineLockedToThreadAndElidedFramesAreRead() throws IOException {
        // A handwritten fixture in the documented Go 1.21+ format, which Debian's Go 1.19 cannot produce.
        ThreadDump dump = DumpParser.parse(fixture("go1.21-format-handwritten.txt"), false);
        assertThat(dump.total()).isEqualTo(6);
        StackEntry sigM = dump.entries().get(1);
        assertThat(sigM.state()).isEqualTo("select");
        assertThat(sigM.createdBy()).isEqualTo("runtime.ensureSigM");
        assertThat(sigM.createdAt()).isEqualTo("signal_unix.go:1017");
        StackEntry worker = dump.entries().get(2);
        assertThat(worker.waitMinutes()).isEqualTo(12);
        assertThat(worker.createdBy()).isEqualTo("main.(*Server).handle");
        assertThat(worker.frames()).containsExactly(new Frame("main.worker", "worker.go:42"));
        assertThat(dump.entries().get(5).frames()).extracting(Frame::function)
                .containsExactly("main.deep", "main.deep", "...additional frames elided...");

        StackGroups.Group top = StackGroups.diff(null, dump, Set.of()).get(0);
        assertThat(top.after()).as("goroutines 34-36 share a signature though created from different goroutines").isEqualTo(3);
        assertThat(top.maxWaitMinutes()).isEqualTo(12);
        assertThat(StackGroups.report(null, dump, StackGroups.diff(null, dump, Set.of()), 1))
                .contains("3 goroutines  chan send, up to 12 min  created by main.(*Server).handle at server.go:88")
                .contains("main.worker  worker.go:42");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk-java-17", "jdk-temurin-25"})
    void hotSpotDiffPutsTheLeakedThreadsFirstOnTheirMonitor(String jdk) throws IOException {
        ThreadDump baseline = DumpParser.parse(fixture(jdk + "-thread-print-baseline.txt"), false);
        ThreadDump trigger = DumpParser.parse(fixture(jdk + "-thread-print-trigger.txt"), false);
        assertThat(trigger.format()).isEqualTo(ThreadDump.Format.HotSpot);

        StackGroups.Group top = StackGroups.diff(baseline, trigger, Set.of()).get(0);

        assertThat(top.signature().state()).isEqualTo("WAITING (on object monitor)");
        assertThat(top.signature().blockedOn()).isEqualTo("java.lang.Object");
        assertThat(top.signature().createdBy()).isEqualTo("leaked-worker-N");
        assertThat(top.signature().topFunction()).isEqualTo("ThreadLeaker.waitForever");
        assertThat(top.delta()).isEqualTo(32);
    }

    @Test
    void ignoredTopFunctionsAreNeverReportedAsTheLeak() throws IOException {
        ThreadDump baseline = DumpParser.parse(fixture("go1.19-debug2-baseline.txt"), false);
        ThreadDump trigger = DumpParser.parse(fixture("go1.19-debug2-trigger.txt"), false);
        List<StackGroups.Group> ranked = StackGroups.diff(baseline, trigger, Set.of("main.worker"));
        assertThat(ranked).noneSatisfy(g -> assertThat(g.signature().topFunction()).isEqualTo("main.worker"));
    }

    @Test
    void aTruncatedDumpKeepsWhatIsWholeDropsTheCutStackAndSaysSo() throws IOException {
        String full = fixture("go1.19-debug2-trigger.txt");
        String cut = full.substring(0, full.length() / 2);
        ThreadDump dump = DumpParser.parse(cut, true);
        assertThat(dump.truncated()).isTrue();
        assertThat(dump.total()).isBetween(20, 60);
        assertThat(dump.warnings()).anySatisfy(w -> assertThat(w).contains("cut off"));
        assertThat(dump.entries()).allSatisfy(e -> assertThat(e.frames()).isNotEmpty());
    }

    @Test
    void binaryGarbageIsReportedNotThrown() {
        SplittableRandom random = new SplittableRandom(3);
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        ThreadDump dump = DumpParser.parse(new String(bytes, StandardCharsets.ISO_8859_1), false);
        assertThat(dump.entries()).isEmpty();
        assertThat(dump.warnings()).anySatisfy(w -> assertThat(w).contains("looks binary"));
    }

    @Test
    void interleavedAndMangledDumpsNeverThrow() throws IOException {
        List<String> lines = fixture("go1.19-debug2-trigger.txt").lines().toList();
        List<String> jvm = fixture("jdk-java-17-thread-print-trigger.txt").lines().toList();
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 300; round++) {
            StringBuilder mixed = new StringBuilder();
            int n = 50 + random.nextInt(400);
            for (int i = 0; i < n; i++) {
                List<String> source = random.nextBoolean() ? lines : jvm;
                mixed.append(source.get(random.nextInt(source.size()))).append('\n');
            }
            String input = mixed.toString();
            boolean truncated = random.nextBoolean();
            assertThatCode(() -> {
                ThreadDump dump = DumpParser.parse(input, truncated);
                StackGroups.report(null, dump, StackGroups.diff(null, dump, Set.of()), 5);
            }).as("round %d", round).doesNotThrowAnyException();
        }
    }

    @Test
    void goArgumentsAreStrippedButReceiversKept() {
        assertThat(DumpParser.stripGoArguments("main.(*Server).handle(0xc000123, {0x1, 0x2})")).isEqualTo("main.(*Server).handle");
        assertThat(DumpParser.stripGoArguments("main.deep(...)")).isEqualTo("main.deep");
        assertThat(DumpParser.stripGoArguments("main.main()")).isEqualTo("main.main");
    }

    /**
     * A tenant's dump of HotSpot frame lines made of '(' with no ')': the frame pattern once backtracked
     * quadratically on them (a 16 KiB line took about a second, so this dump took minutes). Parsed now in
     * linear time; the bound below is hundreds of times what it takes.
     */
    @Test
    void frameLinesOfOpenParenthesesWithNoCloseAreParsedInLinearTime() {
        String line = "\tat " + "(".repeat(DumpParser.MAX_LINE);
        StringBuilder dump = new StringBuilder("Full thread dump\n\n\"worker\" #1 prio=5\n   java.lang.Thread.State: RUNNABLE\n");
        for (int i = 0; i < 300; i++) {
            dump.append(line).append('\n');
        }
        ThreadDump parsed = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> DumpParser.parse(dump.toString(), false));
        assertThat(parsed.format()).isEqualTo(ThreadDump.Format.HotSpot);
    }
}
