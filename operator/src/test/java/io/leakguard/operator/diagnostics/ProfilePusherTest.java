package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakguard.operator.http.EgressRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Go program's goroutine and leak profiles, read from its pprof endpoint and pushed to a receiver
 * that speaks Pyroscope's /ingest API and parses every profile with Go's own pprof library
 * ({@code e2e/workloads/pyroscope-receiver}): both arrive, parse, and name the leak site; the egress
 * rules still apply.
 */
class ProfilePusherTest {

    @TempDir
    Path work;

    @Test
    void theIngestQueryNamesTheServiceAndItsLabelsAsPyroscopeParsesThem() {
        String query = ProfilePusher.query("shop.checkout", new java.util.TreeMap<>(Map.of("pod", "checkout-1",
                "namespace", "shop")), 100, 102);
        assertThat(URLDecoder.decode(query, StandardCharsets.UTF_8)).isEqualTo(
                "name=shop.checkout{namespace=shop,pod=checkout-1}&from=100&until=102&format=pprof&spyName=leakguard");
    }

    @Test
    void aRealGoProgramsProfilesArePushedAndParseAtTheReceiver() throws Exception {
        GoPrograms.requireGo();
        Path leakyBinary = GoPrograms.build("leaky", work.resolve("leaky"), Map.of());
        Path receiverBinary = GoPrograms.build("pyroscope-receiver", work.resolve("receiver"), Map.of());
        int port = GoPrograms.freePort();
        Process leaky = new ProcessBuilder(leakyBinary.toString(), "-listen", "127.0.0.1:" + port,
                "-leak-goroutines-per-second", "50", "-leak-bytes-per-goroutine", "1024").redirectErrorStream(true).start();
        Process receiver = new ProcessBuilder(receiverBinary.toString()).redirectErrorStream(true).start();
        try {
            String receiverUrl = "http://" + new BufferedReader(new InputStreamReader(receiver.getInputStream()))
                    .readLine().replace("listening on ", "");
            String base = "http://127.0.0.1:" + port;
            GoPrograms.waitUntilServing(base);
            Thread.sleep(1500);
            var executor = Executors.newFixedThreadPool(2);
            Map<String, byte[]> profiles = new DumpCollector(2, executor).goProfiles(base, Duration.ofSeconds(10), 8 << 20)
                    .join();
            assertThat(profiles).containsOnlyKeys("goroutine", "goroutineleak");

            String outcome = new ProfilePusher(new EgressRules(List.of(), true, false), executor)
                    .push(receiverUrl, "shop.checkout", Map.of("namespace", "shop", "pod", "checkout-1"), profiles, 100, 102)
                    .join();
            assertThat(outcome).isEqualTo("goroutine profile pushed; goroutineleak profile pushed");

            JsonNode received = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(receiverUrl + "/received")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(received).hasSize(2);
            assertThat(received.findValuesAsText("name")).as("one of each").doesNotHaveDuplicates();
            for (JsonNode r : received) {
                String kind = r.get("sampleTypes").get(0).asText().replace("/count", "");
                assertThat(kind).isIn("goroutine", "goroutineleak");
                assertThat(r.get("name").asText()).isEqualTo("shop.checkout{leakguard_profile=" + kind
                        + ",namespace=shop,pod=checkout-1}");
                assertThat(r.get("sampleTypeConfig").asText()).contains("\"display-name\":\"goroutines\"");
                assertThat(r.get("functions").toString()).as("the leak site, from the parsed profile")
                        .contains("main.worker");
                assertThat(r.get("total").asLong()).isPositive();
            }

            String refused = new ProfilePusher(new EgressRules(List.of(), false, false), executor)
                    .push(receiverUrl, "shop.checkout", Map.of(), Map.of("goroutine", profiles.get("goroutine")), 100, 102)
                    .join();
            assertThat(refused).startsWith("goroutine profile not pushed:").contains("loopback");
        } finally {
            leaky.destroyForcibly();
            receiver.destroyForcibly();
        }
    }




}
