package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** The Go programs of {@code e2e/workloads}, built and started by the tests that need a real Go runtime. */
final class GoPrograms {

    private static final Path WORKLOADS = Path.of(System.getProperty("user.dir")).getParent().resolve("e2e/workloads");

    private GoPrograms() {
    }

    /** Without Go, say so; CI (.ci/run) sets LEAKGUARD_REQUIRE_GO=1, so there it must be present. */
    static void requireGo() {
        boolean present = Files.isExecutable(Path.of("/usr/local/go/bin/go"))
                || Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "go")));
        if (!present && "1".equals(System.getenv("LEAKGUARD_REQUIRE_GO"))) {
            throw new AssertionError("LEAKGUARD_REQUIRE_GO=1 but no Go toolchain was found");
        }
        assumeTrue(present, "skipped: install Go 1.26 or newer to run it");
    }

    /** Builds {@code module} into {@code out} with {@code build.sh}, with {@code env} added to its environment. */
    static Path build(String module, Path out, Map<String, String> env) throws Exception {
        ProcessBuilder build = new ProcessBuilder("bash", WORKLOADS.resolve("build.sh").toString(), module, out.toString())
                .directory(WORKLOADS.toFile()).redirectErrorStream(true);
        build.environment().putAll(env);
        Process compile = build.start();
        String output = new String(compile.getInputStream().readAllBytes());
        assertThat(compile.waitFor()).as("go build %s: %s", module, output).isZero();
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until the program answers {@code /healthz} at {@code base}. */
    static void waitUntilServing(String base) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                new java.net.URL(base + "/healthz").openStream().close();
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the program did not start serving on " + base);
    }
}
