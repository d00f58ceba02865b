package io.leakguard.e2e.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A Slack-compatible incoming-webhook receiver on loopback that records every message it gets, by
 * path: the operator posts to one path, Alertmanager's {@code slack_configs} to another.
 */
public final class SlackReceiver implements AutoCloseable {

    /** One message as received. */
    public record Message(String path, JsonNode body, Instant at) {
        /** Everything a person would read in it, as one string. */
        public String text() {
            return body.toString();
        }
    }

    private final HttpServer server;
    public final List<Message> messages = new CopyOnWriteArrayList<>();

    public SlackReceiver() throws IOException {
        ObjectMapper json = new ObjectMapper();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                JsonNode body = json.readTree(exchange.getRequestBody());
                messages.add(new Message(exchange.getRequestURI().getPath(), body, Instant.now()));
                byte[] ok = "ok".getBytes();
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
            } catch (IOException e) {
                exchange.sendResponseHeaders(400, -1);
            }
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Message> at(String path) {
        return messages.stream().filter(m -> m.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
