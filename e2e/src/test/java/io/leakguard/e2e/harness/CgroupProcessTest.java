package io.leakguard.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's pods are real processes with real memory limits: the leaky Go program, leaking fast
 * in a 64 MiB cgroup, is killed by the kernel's OOM killer; given SIGTERM, it stops gracefully.
 */
class CgroupProcessTest {

    @TempDir
    Path work;

    @BeforeAll
    static void requireCgroupsAndGo() {
        String reason = CgroupProcess.unavailableReason();
        if (reason != null) {
            System.err.println("CgroupProcessTest skipped: " + reason);
        }
        assumeTrue(reason == null, "skipped: " + reason);
        boolean go = LeakyWorkload.toolchainPresent();
        if (!go && "1".equals(System.getenv("LEAKGUARD_REQUIRE_GO"))) {
            throw new AssertionError("LEAKGUARD_REQUIRE_GO=1 but no Go toolchain was found");
        }
        assumeTrue(go, "skipped: install Go 1.26 or newer, or set GO");
    }

    @Test
    void aLeakOverTheLimitIsKilledByTheKernelsOomKiller() throws Exception {
        Path leaky = LeakyWorkload.binary();
        try (CgroupProcess pod = CgroupProcess.start("oom", 64L * 1024 * 1024, List.of(leaky.toString(),
                "-listen", "127.0.0.1:0", "-leak-goroutines-per-second", "2000", "-leak-bytes-per-goroutine", "65536"),
                work.resolve("oom.log"))) {
            assertThat(pod.awaitEnding(Duration.ofSeconds(30))).as("log: %s", Files.readString(work.resolve("oom.log")))
                    .isEqualTo(CgroupProcess.Ending.OomKilled);
            assertThat(pod.oomKills()).isPositive();
        }
    }

    @Test
    void sigtermStopsItGracefullyWithinItsGracePeriod() throws Exception {
        Path leaky = LeakyWorkload.binary();
        try (CgroupProcess pod = CgroupProcess.start("graceful", 256L * 1024 * 1024, List.of(leaky.toString(),
                "-listen", "127.0.0.1:0", "-garbage-kib-per-second", "1000"), work.resolve("graceful.log"))) {
            Thread.sleep(500);
            pod.terminate(Duration.ofSeconds(10));
            assertThat(pod.ending()).isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
            assertThat(Files.readString(work.resolve("graceful.log"))).contains("SIGTERM received");
        }
    }
}
