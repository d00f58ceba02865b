package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar}) in its own process, as a
 * user runs it, pointed at the harness's API server.
 */
public final class OperatorProcess implements AutoCloseable {

    static final Path JAR = Path.of("../operator/target/quarkus-app/quarkus-run.jar");

    private final Process process;
    public final Path log;
    public final int httpPort;

    private OperatorProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    public static OperatorProcess start(String apiServerUrl, Path log, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build it first with"
                    + " ./mvnw -pl operator -am package -DskipTests");
        }
        int port = LocalProcesses.freePort();
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", JAR.toAbsolutePath().toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // A kubeconfig, as a user would point the operator at a cluster.
        Path kubeconfig = log.resolveSibling("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: harness
                    cluster: {server: "%s"}
                contexts:
                  - name: harness
                    context: {cluster: harness, user: harness, namespace: default}
                users:
                  - name: harness
                    user: {token: harness}
                current-context: harness
                """.formatted(apiServerUrl));
        Map<String, String> env = builder.environment();
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.putAll(extraEnv);
        OperatorProcess operator = new OperatorProcess(builder.start(), log, port);
        try {
            LocalProcesses.await("the operator", operator.process, "http://127.0.0.1:" + port + "/q/health/ready", log,
                    Duration.ofSeconds(60));
        } catch (RuntimeException | IOException e) {
            operator.close();
            throw e;
        }
        return operator;
    }

    /** SIGKILL: the operator stops where it is, with no chance to clean up or finish a request. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        LocalProcesses.stop(process);
    }
}
