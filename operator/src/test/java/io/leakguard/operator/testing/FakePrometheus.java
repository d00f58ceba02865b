package io.leakguard.operator.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleUnaryOperator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Prometheus HTTP API on loopback serving Go gauges for some pods from formulas of time, answering
 * /api/v1/query (vector) and /api/v1/query_range (matrix), and recording every query it got.
 */
public final class FakePrometheus implements AutoCloseable {

    private final HttpServer server;
    private final String namespace;
    private final List<String> pods;
    private final Map<String, DoubleUnaryOperator> gauges;
    public final List<String> requests = new CopyOnWriteArrayList<>();

    /** @param gauges metric name to value as a function of Unix seconds */
    public FakePrometheus(String namespace, List<String> pods, Map<String, DoubleUnaryOperator> gauges) throws IOException {
        this.namespace = namespace;
        this.pods = pods;
        this.gauges = gauges;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/api/v1/query", exchange -> answer(exchange, vector(params(exchange))));
        server.createContext("/api/v1/query_range", exchange -> answer(exchange, matrix(params(exchange))));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private Map<String, String> params(HttpExchange exchange) {
        requests.add(exchange.getRequestURI().getPath() + "?" + exchange.getRequestURI().getRawQuery());
        Map<String, String> params = new HashMap<>();
        for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    private String vector(Map<String, String> params) {
        double time = Double.parseDouble(params.get("time"));
        StringBuilder out = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
        String sep = "";
        for (String pod : pods) {
            for (var gauge : gauges.entrySet()) {
                out.append(sep).append(metric(gauge.getKey(), pod)).append(",\"value\":[").append(time).append(",\"")
                        .append(gauge.getValue().applyAsDouble(time)).append("\"]}");
                sep = ",";
            }
        }
        return out.append("]}}").toString();
    }

    private String matrix(Map<String, String> params) {
        double start = Double.parseDouble(params.get("start"));
        double end = Double.parseDouble(params.get("end"));
        double step = Double.parseDouble(params.get("step").replace("s", ""));
        StringBuilder out = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
        String sep = "";
        for (String pod : pods) {
            for (var gauge : gauges.entrySet()) {
                out.append(sep).append(metric(gauge.getKey(), pod)).append(",\"values\":[");
                String inner = "";
                for (double t = start; t <= end; t += step) {
                    out.append(inner).append('[').append(t).append(",\"").append(gauge.getValue().applyAsDouble(t)).append("\"]");
                    inner = ",";
                }
                out.append("]}");
                sep = ",";
            }
        }
        return out.append("]}}").toString();
    }

    private String metric(String name, String pod) {
        return "{\"metric\":{\"__name__\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"pod\":\"" + pod + "\"}";
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
