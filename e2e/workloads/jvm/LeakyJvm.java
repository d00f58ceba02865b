import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * A JVM service instrumented with Micrometer, whose memory behaviour is chosen by flags: each
 * leaking request keeps heap, a thread, a direct buffer or a class in a loader of its own (metaspace);
 * or it stays healthy with a bounded cache, periodic batches or a worker pool that fills to its size.
 * It serves /work and /metrics (Micrometer's JVM gauges and the process's resident memory). Run with
 * the Micrometer jars on the class path:
 * {@code java -XX:+ExitOnOutOfMemoryError -Xmx256m -cp 'lib/*' LeakyJvm.java --leak heap}.
 */
public class LeakyJvm {

    static final List<Object> KEPT = new ArrayList<>();
    static final AtomicLong REQUESTS = new AtomicLong();
    static final CountDownLatch NEVER = new CountDownLatch(1);

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("--listen", "127.0.0.1:8080", "--leak", "", "--leak-bytes", "16384",
                "--leak-every", "1", "--leak-after-seconds", "0", "--garbage-bytes", "32768", "--latency-ms", "50",
                "--cache-entries", "0", "--cache-bytes", "8192", "--batch-every-seconds", "0"));
        o.put("--pool-threads", "0");
        o.put("--pool-fill-seconds", "600");
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        String leak = o.get("--leak");
        int leakBytes = Integer.parseInt(o.get("--leak-bytes"));
        int leakEvery = Integer.parseInt(o.get("--leak-every"));
        long leakAfter = System.currentTimeMillis() + 1000L * Long.parseLong(o.get("--leak-after-seconds"));
        int garbage = Integer.parseInt(o.get("--garbage-bytes"));
        long latency = Long.parseLong(o.get("--latency-ms"));
        int cacheEntries = Integer.parseInt(o.get("--cache-entries"));
        int cacheBytes = Integer.parseInt(o.get("--cache-bytes"));
        long batchEvery = Long.parseLong(o.get("--batch-every-seconds"));
        int poolThreads = Integer.parseInt(o.get("--pool-threads"));
        long poolFillMillis = 1000L * Long.parseLong(o.get("--pool-fill-seconds"));
        Map<Long, byte[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > cacheEntries;
            }
        };

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        Gauge.builder("process.resident.memory", LeakyJvm::residentBytes).baseUnit("bytes").register(registry);

        String[] hostPort = o.get("--listen").split(":");
        HttpServer server = HttpServer.create(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 256);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/metrics", exchange -> reply(exchange, registry.scrape()));
        server.createContext("/work", exchange -> {
            long n = REQUESTS.incrementAndGet();
            byte[] scratch = new byte[garbage];
            scratch[0] = (byte) n;
            if (cacheEntries > 0) {
                synchronized (cache) {
                    cache.put(n, new byte[cacheBytes]);
                }
            }
            if (!leak.isEmpty() && System.currentTimeMillis() >= leakAfter && n % leakEvery == 0) {
                leak(leak, leakBytes);
            }
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply(exchange, "done " + scratch[0]);
        });
        if (batchEvery > 0) {
            Thread batch = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(batchEvery * 1000);
                        byte[][] held = new byte[32][];
                        for (int i = 0; i < held.length; i++) {
                            held[i] = new byte[1 << 20];
                        }
                        Thread.sleep(120_000);
                        KEPT.add(held.length);
                        KEPT.remove(KEPT.size() - 1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "batch");
            batch.setDaemon(true);
            batch.start();
        }
        if (poolThreads > 0) {
            // A worker pool that grows to its size over the fill time and then keeps its threads: healthy,
            // though its thread count and resident memory rise for as long as it fills.
            Thread filler = new Thread(() -> {
                for (int i = 0; i < poolThreads; i++) {
                    parkedThread("pool-" + i);
                    try {
                        Thread.sleep(poolFillMillis / poolThreads);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "pool-filler");
            filler.setDaemon(true);
            filler.start();
        }
        server.start();
        System.out.println("serving on " + o.get("--listen"));
    }

    static void leak(String mode, int bytes) {
        switch (mode) {
            case "heap" -> {
                synchronized (KEPT) {
                    KEPT.add(new byte[bytes]);
                }
            }
            case "thread" -> parkedThread("leaked-" + REQUESTS.get());
            case "metaspace" -> {
                // A class generated in a class loader of its own, which is kept: its metadata stays in
                // metaspace (native memory, outside the heap) for good, as with a leaked plugin or script loader.
                ClassLoader loader = new ClassLoader(LeakyJvm.class.getClassLoader()) {
                };
                Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {Runnable.class}, (self, method, a) -> null);
                synchronized (KEPT) {
                    KEPT.add(proxy);
                }
            }
            case "direct" -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
                for (int i = 0; i < bytes; i += 4096) {
                    buffer.put(i, (byte) 1);
                }
                synchronized (KEPT) {
                    KEPT.add(buffer);
                }
            }
            default -> throw new IllegalArgumentException("--leak must be heap, thread, direct or metaspace");
        }
    }

    static void parkedThread(String name) {
        Thread t = new Thread(() -> {
            try {
                NEVER.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
