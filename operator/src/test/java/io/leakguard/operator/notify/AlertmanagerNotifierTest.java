package io.leakguard.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.leakguard.api.v1alpha1.AlertingSpec;
import io.leakguard.api.v1alpha1.AlertmanagerSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real Alertmanager (Debian's prometheus-alertmanager, started here on loopback) that
 * routes to a local webhook receiver: the alert appears with its labels, is routed, and resolves.
 */
class AlertmanagerNotifierTest {

    private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    @TempDir
    Path work;
    Process alertmanager;
    HttpServer webhook;
    final List<JsonNode> delivered = new CopyOnWriteArrayList<>();
    String url;
    Notifier notifier;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        boolean present = Files.isExecutable(BINARY);
        if (!present && "1".equals(System.getenv("LEAKGUARD_REQUIRE_ALERTMANAGER"))) {
            throw new AssertionError("LEAKGUARD_REQUIRE_ALERTMANAGER=1 but prometheus-alertmanager is not installed");
        }
        assumeTrue(present, "skipped: install Debian's prometheus-alertmanager to run it");
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        webhook.createContext("/hook", exchange -> {
            delivered.add(json.readTree(exchange.getRequestBody()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        Files.writeString(work.resolve("alertmanager.yml"), """
                route:
                  receiver: hook
                  group_by: [alertname, pod]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: hook
                    webhook_configs:
                      - url: http://127.0.0.1:%d/hook
                        send_resolved: true
                """.formatted(webhook.getAddress().getPort()));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        alertmanager = new ProcessBuilder(BINARY.toString(), "--config.file=" + work.resolve("alertmanager.yml"),
                "--storage.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=").redirectErrorStream(true).redirectOutput(work.resolve("am.log").toFile())
                .start();
        url = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() == 200);
        notifier = new Notifier(null, new SimpleMeterRegistry(), Clock.systemUTC());
        notifier.minFiring = Duration.ofSeconds(3);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (notifier != null) {
            notifier.stop();
        }
        if (alertmanager != null) {
            alertmanager.destroy();
            // It writes to the temporary directory until it has exited.
            if (!alertmanager.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                alertmanager.destroyForcibly().waitFor();
            }
        }
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    private JsonNode alerts() throws IOException, InterruptedException {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v2/alerts")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void anAlertAppearsWithItsLabelsIsRoutedAndResolves() throws Exception {
        AlertingSpec alerting = new AlertingSpec();
        alerting.alertmanager = new AlertmanagerSpec();
        alerting.alertmanager.urls = List.of(url, "http://127.0.0.1:9");
        alerting.alertmanager.labels = Map.of("team", "shop");

        notifier.notify("uid-1/PodRestarted", alerting, SlackNotifierTest.restarted(List.of("+60 goroutines  chan send")));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode alert = alerts().get(0);
            assertThat(alert).as("alerts in Alertmanager").isNotNull();
            JsonNode labels = alert.get("labels");
            assertThat(labels.get("alertname").asText()).isEqualTo(Notifier.ALERT_RESTART);
            assertThat(labels.get("namespace").asText()).isEqualTo("shop");
            assertThat(labels.get("pod").asText()).isEqualTo("checkout-7c9f-x2");
            assertThat(labels.get("policy").asText()).isEqualTo("checkout");
            assertThat(labels.get("workload").asText()).isEqualTo("ReplicaSet/checkout-7c9f");
            assertThat(labels.get("severity").asText()).isEqualTo("warning");
            assertThat(labels.get("team").asText()).isEqualTo("shop");
            assertThat(alert.get("annotations").get("dump").asText()).startsWith("leakguard-dump-");
            assertThat(alert.get("status").get("state").asText()).isEqualTo("active");
        });
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(delivered)
                .anySatisfy(n -> assertThat(n.get("status").asText()).isEqualTo("firing")));

        notifier.resolveExcept("shop", "checkout", Set.of());
        assertThat(notifier.firingCount()).as("held firing for minFiring, so Alertmanager notifies it").isEqualTo(1);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(delivered)
                .anySatisfy(n -> {
                    assertThat(n.get("status").asText()).isEqualTo("resolved");
                    assertThat(n.get("alerts").get(0).get("labels").get("pod").asText()).isEqualTo("checkout-7c9f-x2");
                }));
        assertThat(notifier.firingCount()).isZero();
    }
}
