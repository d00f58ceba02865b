package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The collector against a pod endpoint that misbehaves: each case ends in a clear message, never a hang or a crash. */
class DumpCollectorTest {

    HttpServer server;
    String base;
    final AtomicBoolean slowAnswered = new AtomicBoolean();
    final DumpCollector collector = new DumpCollector(4, Executors.newFixedThreadPool(2));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slowAnswered.set(true);
            exchange.close();
        });
        server.createContext("/error", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        server.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] block = ("goroutine 1 [chan send]:\nmain.worker(0x1)\n\t/app/w.go:1 +0x1\n\n").repeat(1000).getBytes();
            try (OutputStream out = exchange.getResponseBody()) {
                for (long sent = 0; sent < 100L * 1024 * 1024; sent += block.length) {
                    out.write(block);
                }
            } catch (IOException e) {
                // the collector stopped reading at its cap, as it should
            }
        });
        server.createContext("/debug/pprof/goroutine", exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("goroutineleak")) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = DumpParserTest.fixture("go1.19-debug2-trigger.txt").getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String failure(Runnable call) {
        try {
            call.run();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(DumpException.class);
            return e.getCause().getMessage();
        }
        throw new AssertionError("expected the dump to fail");
    }

    @Test
    void aSlowEndpointTimesOut() {
        String message = failure(() -> collector.httpEndpoint(base + "/slow", Duration.ofSeconds(1), 1 << 20).join());
        assertThat(message).contains("no dump from").contains("within 1s");
        assertThat(slowAnswered.get()).as("the collector gave up before the endpoint answered, 5 s in").isFalse();
    }

    @Test
    void a404SaysWhatToCheck() {
        assertThat(failure(() -> collector.httpEndpoint(base + "/missing", Duration.ofSeconds(2), 1 << 20).join()))
                .contains("HTTP 404").contains("net/http/pprof");
    }

    @Test
    void a500IsReported() {
        assertThat(failure(() -> collector.httpEndpoint(base + "/error", Duration.ofSeconds(2), 1 << 20).join()))
                .contains("HTTP 500");
    }

    @Test
    void a100MegabyteDumpIsCutAtTheCapAndMarkedTruncated() {
        CollectedDump dump = collector.httpEndpoint(base + "/huge", Duration.ofSeconds(10), 1 << 20).join();
        assertThat(dump.truncated()).isTrue();
        assertThat(dump.text().length()).isLessThanOrEqualTo(1 << 20);
        ThreadDump parsed = DumpParser.parse(dump.text(), dump.truncated());
        assertThat(parsed.total()).isPositive();
        assertThat(parsed.warnings()).anySatisfy(w -> assertThat(w).contains("cut off at the size limit"));
    }

    @Test
    void goPprofWithoutALeakProfileFallsBackQuietly() {
        CollectedDump dump = collector.goPprof(base, null, Duration.ofSeconds(2), 1 << 20).join();
        assertThat(dump.leakProfile()).as("404 on goroutineleak is fine").isNull();
        assertThat(DumpParser.parse(dump.text(), false).total()).isEqualTo(86);
    }

    @Test
    void aRefusedConnectionIsReported() {
        assertThat(failure(() -> collector.httpEndpoint("http://127.0.0.1:9/x", Duration.ofSeconds(2), 1024).join()))
                .contains("connection refused");
    }

    @Test
    void jvmPidIsFoundNotAssumed() {
        assertThat(DumpCollector.jvmPid("""
                 812 sun.tools.jcmd.JCmd -l
                 7 /app/app.jar --server.port=8080
                """)).isEqualTo(7);
        assertThat(DumpCollector.jvmPid("812 sun.tools.jcmd.JCmd -l\n")).isEqualTo(-1);
    }

    @Test
    void noJcmdInTheImageIsExplained() {
        CommandRunner missing = (command, timeout, max) -> java.util.concurrent.CompletableFuture.completedFuture(
                new CommandRunner.Result(127, "", "sh: jcmd: not found", false));
        assertThatThrownBy(() -> collector.jvm(missing, Duration.ofSeconds(1), 1024).join())
                .hasCauseInstanceOf(DumpException.class)
                .hasMessageContaining("jcmd -l found no JVM").hasMessageContaining("jcmd: not found");
    }

    @Test
    void whenJcmdAndJstackFailSigquitAndTheContainerLogGiveTheDump() throws IOException {
        String dump = DumpParserTest.fixture("jdk-java-17-thread-print-trigger.txt");
        List<List<String>> ran = new java.util.ArrayList<>();
        CommandRunner runner = new CommandRunner() {
            @Override
            public java.util.concurrent.CompletableFuture<Result> run(List<String> command, Duration timeout, int max) {
                ran.add(command);
                int exit = command.get(0).equals("kill") ? 0 : 1;
                return java.util.concurrent.CompletableFuture.completedFuture(
                        new Result(exit, "", exit == 0 ? "" : command.get(0) + ": Unable to open socket file", false));
            }

            @Override
            public java.util.concurrent.CompletableFuture<String> recentLog(int maxBytes) {
                return java.util.concurrent.CompletableFuture.completedFuture("app started\n" + dump);
            }
        };
        CollectedDump collected = collector.jvmDump(runner, 7, Duration.ofSeconds(2), 1 << 20).join();
        assertThat(ran).extracting(c -> c.get(0)).containsExactly("jcmd", "jstack", "kill");
        assertThat(collected.source()).isEqualTo("kill -3 7 (container log)");
        assertThat(collected.notes()).anySatisfy(n -> assertThat(n).contains("used jstack instead"));
        assertThat(DumpParser.parse(collected.text(), false).total()).isEqualTo(DumpParser.parse(dump, false).total());
    }
}
