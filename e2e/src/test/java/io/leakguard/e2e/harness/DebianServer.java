package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Prometheus or Alertmanager, from Debian's packages, started on loopback for one test class.
 * Where the package is missing the scenario is skipped with the reason, unless the environment
 * variable that CI sets ({@code LEAKGUARD_REQUIRE_PROMETHEUS}, {@code LEAKGUARD_REQUIRE_ALERTMANAGER})
 * says it must be there, in which case it fails.
 */
public final class DebianServer implements AutoCloseable {

    static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    private final Process process;
    public final String url;
    public final Path log;

    private DebianServer(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Why {@code binary} cannot be used, or null; fails when the environment requires it. */
    public static String unavailableReason(Path binary, String package_, String requireVariable) {
        if (Files.isExecutable(binary)) {
            return null;
        }
        String reason = binary + " is missing: apt-get install -y --no-install-recommends " + package_;
        if ("1".equals(System.getenv(requireVariable))) {
            throw new IllegalStateException(requireVariable + "=1 but " + reason);
        }
        return reason;
    }

    /**
     * Alertmanager routing every alert to {@code slackUrl} through its own {@code slack_configs}, with
     * resolved notices, and with waits short enough for a test.
     */
    public static DebianServer alertmanager(Path dir, String slackUrl) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: slack
                  group_by: [alertname, namespace, pod]
                  group_wait: 1s
                  group_interval: 2s
                  repeat_interval: 1h
                receivers:
                  - name: slack
                    slack_configs:
                      - api_url: %s
                        channel: '#leaks'
                        send_resolved: true
                """.formatted(slackUrl));
        int port = LocalProcesses.freePort();
        return start(List.of(ALERTMANAGER.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address="), port, dir.resolve("alertmanager.log"));
    }

    /**
     * Prometheus scraping every 2 s the targets that workload simulators write as file_sd JSON under
     * {@code targets}, each labelled with its namespace and pod, as the Kubernetes service discovery
     * relabelling of a real installation would.
     */
    public static DebianServer prometheus(Path dir, Path targets) throws IOException, InterruptedException {
        return prometheus(dir, targets, Duration.ofSeconds(2));
    }

    /** The same, scraping every {@code interval} (the scale benchmark's 15 s). */
    public static DebianServer prometheus(Path dir, Path targets, Duration interval) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.createDirectories(targets);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: %ds
                  scrape_timeout: %ds
                  evaluation_interval: %ds
                scrape_configs:
                  - job_name: pods
                    file_sd_configs:
                      - files: ['%s/*.json']
                        refresh_interval: 2s
                """.formatted(interval.toSeconds(), Math.max(1, interval.toSeconds() / 2), interval.toSeconds(), targets));
        int port = LocalProcesses.freePort();
        return start(List.of(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port), port, dir.resolve("prometheus.log"));
    }

    private static DebianServer start(List<String> command, int port, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        DebianServer server = new DebianServer(process, "http://127.0.0.1:" + port, log);
        try {
            LocalProcesses.await(command.get(0), process, server.url + "/-/ready", log, Duration.ofSeconds(20));
        } catch (RuntimeException | IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        LocalProcesses.stop(process);
    }
}
