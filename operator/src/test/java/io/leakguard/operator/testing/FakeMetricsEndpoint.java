package io.leakguard.operator.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpServer;

/** A pod's /metrics on loopback, whose body (or misbehaviour) a test sets. */
public final class FakeMetricsEndpoint implements AutoCloseable {

    /** What the endpoint answers: a status and a body. */
    public record Answer(int status, byte[] body, long delayMillis) {
        public static Answer ok(String body) {
            return new Answer(200, body.getBytes(StandardCharsets.UTF_8), 0);
        }
    }

    private final HttpServer server;
    private final AtomicReference<byte[]> dump = new AtomicReference<>();
    private final AtomicReference<Supplier<Answer>> answer = new AtomicReference<>(() -> Answer.ok(""));

    public FakeMetricsEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/metrics", exchange -> {
            Answer a = answer.get().get();
            try {
                if (a.delayMillis() > 0) {
                    Thread.sleep(a.delayMillis());
                }
                exchange.sendResponseHeaders(a.status(), a.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(a.body());
                }
            } catch (IOException | InterruptedException e) {
                // the scraper gave up; nothing to do
            } finally {
                exchange.close();
            }
        });
        server.createContext("/debug/pprof/goroutine", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().endsWith("goroutineleak") ? null : dump.get();
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    /** What /debug/pprof/goroutine answers; null gives 404. */
    public void dump(String text) {
        dump.set(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void answer(Supplier<Answer> next) {
        answer.set(next);
    }

    /** A Go service's gauges in the text format, as client_golang writes them. */
    public static String goMetrics(double goroutines, double heapInuse, double rss) {
        return "# HELP go_goroutines Number of goroutines that currently exist.\n"
                + "# TYPE go_goroutines gauge\n"
                + "go_goroutines " + goroutines + "\n"
                + "# TYPE go_memstats_heap_inuse_bytes gauge\n"
                + "go_memstats_heap_inuse_bytes " + heapInuse + "\n"
                + "# TYPE process_resident_memory_bytes gauge\n"
                + "process_resident_memory_bytes " + rss + "\n";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
