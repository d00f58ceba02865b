package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.operator.detection.ProvenLeaks;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.tracking.TrackedPod;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leak profile is read over real HTTP from the pod's dump endpoint, from real Go 1.26 and 1.27
 * profiles, at most every five minutes per pod life; a pod without the profile is told why.
 */
class LeakProfileProbeTest {

    private HttpServer server;
    private final AtomicInteger reads = new AtomicInteger();
    private volatile int status = 200;
    private volatile String body;
    private final LeakProfileProbe probe = new LeakProfileProbe(Executors.newCachedThreadPool(), Duration.ofMinutes(5));
    private final Policy policy = Policy.of(new LeakPolicySpec());

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/debug/pprof/goroutineleak", exchange -> {
            reads.incrementAndGet();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private TrackedPod pod(String life) {
        return new TrackedPod("shop", "checkout-1", "uid-1", "127.0.0.1", "Running", "app",
                server.getAddress().getPort(), null, 160e6, life, 0, "ReplicaSet/checkout");
    }

    private static String fixture(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/dumps/" + name));
    }

    private ProvenLeaks readNow(String life, long now) {
        probe.readIfDue("shop/checkout/checkout-1", policy, pod(life), now);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            ProvenLeaks p = probe.latest("shop/checkout/checkout-1", life);
            return p != null && p.atMillis() == now;
        });
        return probe.latest("shop/checkout/checkout-1", life);
    }

    @Test
    void aGo127PodsDebug1ProfileGivesItsProvenCountAndTheLeakSite() throws Exception {
        body = fixture("go1.27-goroutineleak-debug1.txt");
        ProvenLeaks proven = readNow("uid-1/0/", 1_000);
        assertThat(proven.error()).isNull();
        assertThat(proven.goroutines()).isEqualTo(20);
        assertThat(proven.site()).contains("main.worker");
    }

    @Test
    void aGo126ExperimentProfileAtDebug2CountsOnlyTheTaggedGoroutines() {
        var parsed = LeakProfileProbe.parse(new CollectedDump(read("go1.26-experiment-goroutineleak-debug2.txt"), false,
                "test", null, java.util.List.of()), 5);
        assertThat(parsed.error()).isNull();
        assertThat(parsed.goroutines()).isGreaterThanOrEqualTo(20)
                .isLessThan(DumpParser.parse(read("go1.26-experiment-goroutineleak-debug2.txt"), false).total());
    }

    @Test
    void aPodWithoutTheProfileIsToldWhichGoServesIt() {
        status = 404;
        body = "404 page not found\n";
        ProvenLeaks proven = readNow("uid-1/0/", 1_000);
        assertThat(proven.goroutines()).isEqualTo(-1);
        assertThat(proven.error()).contains("HTTP 404").contains("Go 1.27").contains("GOEXPERIMENT=goroutineleakprofile");
    }

    @Test
    void anAnswerThatIsNotALeakProfileIsRefusedNotCounted() {
        body = "# HELP go_goroutines Number of goroutines\ngo_goroutines 12\n";
        assertThat(readNow("uid-1/0/", 1_000).error()).contains("not a goroutine leak profile");
    }

    @Test
    void theProfileIsReadAtMostEveryFiveMinutesPerLifeAndAfreshForANewLife() throws Exception {
        body = fixture("go1.27-goroutineleak-debug1.txt");
        readNow("uid-1/0/", 1_000);
        probe.readIfDue("shop/checkout/checkout-1", policy, pod("uid-1/0/"), 1_000 + 299_000);
        assertThat(reads.get()).as("not due yet").isEqualTo(1);
        assertThat(probe.latest("shop/checkout/checkout-1", "uid-1/1/")).as("not the restarted container's").isNull();

        readNow("uid-1/0/", 1_000 + 300_000);
        readNow("uid-1/1/", 1_000 + 300_001);
        assertThat(reads.get()).isEqualTo(3);

        probe.retainOnly(Set.of());
        assertThat(probe.latest("shop/checkout/checkout-1", "uid-1/1/")).isNull();
    }

    private static String read(String name) {
        try {
            return fixture(name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
