package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real leaking programs, real dumps: the Go workload built here with the machine's Go (client_golang
 * from the Go module proxy), and a Java program
 * leaking threads on each JDK of the machine. Two dumps a few seconds apart; the diff must name the
 * leaking function first, with the growth the program was told to produce.
 */
class RealProgramDumpTest {

    @TempDir
    Path work;

    final DumpCollector collector = new DumpCollector(4, Executors.newFixedThreadPool(2));


    @Test
    void goLeakIsRankedFirstWithItsGrowth() throws Exception {
        GoPrograms.requireGo();
        Path binary = work.resolve("leaky");
        // Without the goroutine-leak profile: its collection runs a full leak-finding GC in the program, which
        // delays the leaking goroutine's ticker and so the count this test times (GoroutineLeakProfileTest
        // covers the profile, from real programs).
        GoPrograms.build("leaky", binary, Map.of("GOEXPERIMENT", ""));

        int port = GoPrograms.freePort();
        Process leaky = new ProcessBuilder(binary.toString(), "-listen", "127.0.0.1:" + port,
                "-leak-goroutines-per-second", "50", "-leak-bytes-per-goroutine", "1024").redirectErrorStream(true).start();
        try {
            String base = "http://127.0.0.1:" + port;
            GoPrograms.waitUntilServing(base);
            Thread.sleep(1000);
            long t0 = System.nanoTime();
            CollectedDump first = collector.goPprof(base, null, Duration.ofSeconds(5), 8 << 20).join();
            Thread.sleep(3000);
            long t1 = System.nanoTime();
            CollectedDump second = collector.goPprof(base, null, Duration.ofSeconds(5), 8 << 20).join();

            ThreadDump baseline = DumpParser.parse(first.text(), first.truncated());
            ThreadDump trigger = DumpParser.parse(second.text(), second.truncated());
            StackGroups.Group top = StackGroups.diff(baseline, trigger, Set.of()).get(0);

            assertThat(top.signature().topFunction()).isEqualTo("main.worker");
            assertThat(top.signature().state()).isEqualTo("chan send");
            assertThat(top.signature().createdBy()).isEqualTo("main.leak");
            double expected = 50 * (t1 - t0) / 1e9;
            assertThat((double) top.delta()).as("goroutines leaked between the dumps").isBetween(expected * 0.7, expected * 1.3 + 50);
            assertThat(StackGroups.report(baseline.total(), trigger, StackGroups.diff(baseline, trigger, Set.of()), 1))
                    .contains("goroutines  chan send  created by main.leak").contains("main.worker");
        } finally {
            leaky.destroy();
            leaky.waitFor();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/temurin-25-jdk-amd64"})
    void jvmThreadLeakIsRankedFirstOnEachJdk(String jdkHome) throws Exception {
        Path jdk = Path.of(jdkHome);
        assumeTrue(Files.isExecutable(jdk.resolve("bin/jcmd")), "skipped: no JDK at " + jdkHome);
        Path program = work.resolve("ThreadLeaker.java");
        Files.writeString(program, DumpParserTest.fixture("ThreadLeaker.java"));
        Process leaker = new ProcessBuilder(jdk.resolve("bin/java").toString(), program.toString(), "2")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(leaker.getInputStream()));
            assertThat(out.readLine()).isEqualTo("ready");
            CommandRunner runner = new LocalCommandRunner(jdk.resolve("bin"));
            Thread.sleep(500);
            CollectedDump first = collector.jvmDump(runner, leaker.pid(), Duration.ofSeconds(20), 8 << 20).join();
            Thread.sleep(1500);
            CollectedDump second = collector.jvmDump(runner, leaker.pid(), Duration.ofSeconds(20), 8 << 20).join();

            ThreadDump baseline = DumpParser.parse(first.text(), first.truncated());
            ThreadDump trigger = DumpParser.parse(second.text(), second.truncated());
            StackGroups.Group top = StackGroups.diff(baseline, trigger, Set.of()).get(0);

            assertThat(first.source()).startsWith("jcmd " + leaker.pid());
            assertThat(top.signature().topFunction()).isEqualTo("ThreadLeaker.waitForever");
            assertThat(top.signature().state()).isEqualTo("WAITING (on object monitor)");
            assertThat(top.delta()).as("20 threads a second for about 1.5 s").isBetween(15, 60);
        } finally {
            leaker.destroy();
            leaker.waitFor();
        }
    }


}
