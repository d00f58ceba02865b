package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds {@code e2e/workloads/leaky} with Debian's Go and client_golang, once per JVM. Without them
 * it says what to install; CI installs them (.ci/run).
 */
public final class LeakyWorkload {

    static final Path GO = Path.of("/usr/bin/go");
    static final Path GOPATH = Path.of("/usr/share/gocode");
    private static Path binary;

    private LeakyWorkload() {
    }

    public static boolean toolchainPresent() {
        return Files.isExecutable(GO) && Files.isDirectory(GOPATH.resolve("src/github.com/prometheus/client_golang"));
    }

    public static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        if (!toolchainPresent()) {
            throw new IllegalStateException("Debian's golang-go and golang-github-prometheus-client-golang-dev are"
                    + " needed to build e2e/workloads/leaky: apt-get install -y golang-go"
                    + " golang-github-prometheus-client-golang-dev");
        }
        Path work = Files.createTempDirectory("leaky-build");
        Path out = work.resolve("leaky");
        ProcessBuilder build = new ProcessBuilder(GO.toString(), "build", "-o", out.toString(), ".")
                .directory(Path.of("workloads/leaky").toAbsolutePath().toFile()).redirectErrorStream(true);
        build.environment().putAll(Map.of("GO111MODULE", "off", "GOPATH", GOPATH.toString(),
                "GOCACHE", work.resolve("gocache").toString()));
        Process process = build.start();
        String log = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("go build of e2e/workloads/leaky failed:\n" + log);
        }
        binary = out;
        return out;
    }
}
