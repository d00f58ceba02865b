package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds {@code e2e/workloads/leaky}, a Go module using client_golang from the Go module proxy, once
 * per JVM and toolchain, through {@code e2e/workloads/build.sh}: with the machine's Go, or with a Go
 * release the machine's Go fetches from the module proxy ({@code GOTOOLCHAIN=go1.27.3}). Without a Go
 * toolchain it says what to install.
 */
public final class LeakyWorkload {

    private static final Path WORKLOADS = Path.of("workloads").toAbsolutePath();
    /** The Go release the leak-profile scenario builds with; the machine's Go fetches it from the module proxy. */
    public static final String GO_1_27 = "go1.27.3";
    private static final java.util.Map<String, Path> BINARIES = new java.util.HashMap<>();

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

    /** The workload built with the machine's own Go. */
    public static Path binary() throws IOException, InterruptedException {
        return binary("local");
    }

    /** The workload built with {@code toolchain}: "local", or a release such as {@link #GO_1_27}. */
    public static Path binary(String toolchain) throws IOException, InterruptedException {
        return program("leaky", toolchain);
    }

    /** Another Go module of {@code e2e/workloads} (such as "pyroscope-receiver"), built with the machine's Go. */
    public static Path program(String module) throws IOException, InterruptedException {
        return program(module, "local");
    }

    private static synchronized Path program(String module, String toolchain) throws IOException, InterruptedException {
        String key = module + "@" + toolchain;
        Path built = BINARIES.get(key);
        if (built != null) {
            return built;
        }
        if (!toolchainPresent()) {
            throw new IllegalStateException("Go 1.26 or newer is needed to build e2e/workloads/leaky:"
                    + " install it from https://go.dev/doc/install, or set GO=/path/to/go");
        }
        Path out = Files.createTempDirectory("leaky-build").resolve(module);
        Process process = new ProcessBuilder("bash", WORKLOADS.resolve("build.sh").toString(), module, out.toString(),
                toolchain).directory(WORKLOADS.toFile()).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("go build of e2e/workloads/" + module + " with " + toolchain + " failed (the first"
                    + " build fetches client_golang, and any Go release named, through the Go module proxy):\n" + log);
        }
        BINARIES.put(key, out);
        return out;
    }
}
