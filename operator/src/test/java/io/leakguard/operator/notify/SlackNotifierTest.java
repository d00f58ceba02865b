package io.leakguard.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.leakguard.api.v1alpha1.AlertingSpec;
import io.leakguard.api.v1alpha1.SecretKeyRef;
import io.leakguard.api.v1alpha1.SlackSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Slack, against a local receiver standing in for hooks.slack.com. */
class SlackNotifierTest {

    private static final String TOKEN = "T0000/B0000/XXXXSECRETXXXX";

    HttpServer receiver;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<Long> arrivals = new CopyOnWriteArrayList<>();
    final AtomicInteger tooMany = new AtomicInteger(1);
    KubernetesMockServer api;
    KubernetesClient client;
    Notifier notifier;
    final List<String> logs = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null) {
                message += " " + java.util.Arrays.toString(record.getParameters());
            }
            logs.add(message);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        receiver.createContext("/services/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            arrivals.add(System.nanoTime());
            if (tooMany.getAndDecrement() > 0) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                exchange.sendResponseHeaders(429, -1);
            } else {
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        receiver.start();
        api = new KubernetesMockServer();
        api.init();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/services/" + TOKEN;
        api.expect().get().withPath("/api/v1/namespaces/shop/secrets/slack")
                .andReturn(200, new SecretBuilder().withNewMetadata().withName("slack").addToLabels("leakguard.io/readable", "true").endMetadata()
                        .addToData("url", Base64.getEncoder().encodeToString(url.getBytes(StandardCharsets.UTF_8))).build())
                .always();
        client = api.createClient();
        notifier = new Notifier(client, new SimpleMeterRegistry(), Clock.systemUTC());
        notifier.backoff(Duration.ofMillis(200));
        java.util.logging.Logger.getLogger("").addHandler(capture);
        java.util.logging.Logger.getLogger("io.leakguard").setLevel(java.util.logging.Level.ALL);
    }

    @AfterEach
    void stop() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        notifier.stop();
        client.close();
        api.destroy();
        receiver.stop(0);
    }

    private static AlertingSpec slack() {
        AlertingSpec alerting = new AlertingSpec();
        alerting.slack = new SlackSpec();
        alerting.slack.webhookSecretRef = new SecretKeyRef("slack", "url");
        return alerting;
    }

    static Notification restarted(List<String> groups) {
        return new Notification(Notification.Kind.PodRestarted, "checkout", "shop", "checkout-7c9f-x2", "ReplicaSet/checkout-7c9f",
                "Leaking", "heap baseline +120.0 MiB/h (at least +95.0 MiB/h, p=<0.0001), projected OOM in 11m",
                125829120.0, 812.0, "11m", "Restarted through the Eviction API before the projected OOM", groups,
                "leakguard-dump-checkout-7c9f-x2-20261128-100000", "warning", Map.of());
    }

    @Test
    void aRateLimitedWebhookIsRetriedAfterRetryAfterAndTheMessageIsValidBlockKit() throws Exception {
        notifier.notify("pod-1/PodRestarted", slack(), restarted(List.of(
                "+4,812 goroutines  chan send  created by main.(*Server).handle at server.go:88 / main.worker worker.go:42")));

        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 2);
        assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).as("Retry-After: 1 honoured")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        JsonNode message = new ObjectMapper().readTree(bodies.get(1));
        assertThat(message.get("text").asText()).contains("restarted shop/checkout-7c9f-x2");
        JsonNode blocks = message.get("blocks");
        assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
        assertThat(bodies.get(1)).contains("+4,812 goroutines").contains("ReplicaSet/checkout-7c9f")
                .contains("kubectl get configmap leakguard-dump-checkout-7c9f-x2-20261128-100000").contains("11m");
        assertThat(logs).as("logs were captured").isNotEmpty();
        assertThat(logs).as("the webhook URL is a secret").noneSatisfy(l -> assertThat(l).contains("SECRET"));
    }

    @Test
    void hugeReportsStayWithinSlacksLimits() throws Exception {
        tooMany.set(0);
        String line = "+1 goroutines  select  created by main.pool at pool.go:1 / " + "x".repeat(200);
        notifier.notify("pod-2/PodRestarted", slack(), restarted(java.util.Collections.nCopies(500, line)));
        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 1);
        JsonNode blocks = new ObjectMapper().readTree(bodies.get(0)).get("blocks");
        assertThat(blocks.size()).isLessThanOrEqualTo(50);
        for (JsonNode block : blocks) {
            if (block.has("text")) {
                assertThat(block.get("text").get("text").asText().length()).isLessThanOrEqualTo(
                        block.get("type").asText().equals("header") ? 150 : 3000);
            }
            if (block.has("fields")) {
                assertThat(block.get("fields").size()).isLessThanOrEqualTo(10);
                block.get("fields").forEach(f -> assertThat(f.get("text").asText().length()).isLessThanOrEqualTo(2000));
            }
        }
    }

    @Test
    void theSameEventIsSentOnce() {
        tooMany.set(0);
        notifier.notify("pod-3/PodRestarted", slack(), restarted(List.of()));
        notifier.notify("pod-3/PodRestarted", slack(), restarted(List.of()));
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> bodies.size() >= 1);
        assertThat(bodies).hasSize(1);
    }
}
