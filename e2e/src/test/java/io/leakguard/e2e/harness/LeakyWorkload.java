package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds {@code e2e/workloads/leaky}, a Go module using client_golang from the Go module proxy, once
 * per JVM, through {@code e2e/workloads/build.sh}. Without a Go toolchain it says what to install.
 */
public final class LeakyWorkload {

    private static final Path WORKLOADS = Path.of("workloads").toAbsolutePath();
    private static Path binary;

    private LeakyWorkload() {
    }

    /** A Go toolchain: {@code $GO}, {@code go} on the PATH, or Go's default install folder. */
    public static boolean toolchainPresent() {
        String explicit = System.getenv("GO");
        if (explicit != null && !explicit.isBlank()) {
            return Files.isExecutable(Path.of(explicit));
        }
        if (Files.isExecutable(Path.of("/usr/local/go/bin/go"))) {
            return true;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go"))) {
                return true;
            }
        }
        return false;
    }

    public static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        if (!toolchainPresent()) {
            throw new IllegalStateException("Go 1.26 or newer is needed to build e2e/workloads/leaky:"
                    + " install it from https://go.dev/doc/install, or set GO=/path/to/go");
        }
        Path out = Files.createTempDirectory("leaky-build").resolve("leaky");
        Process process = new ProcessBuilder("bash", WORKLOADS.resolve("build.sh").toString(), "leaky", out.toString())
                .directory(WORKLOADS.toFile()).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("go build of e2e/workloads/leaky failed (the first build fetches"
                    + " client_golang through the Go module proxy):\n" + log);
        }
        binary = out;
        return out;
    }
}
