package io.leakguard.e2e.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A TLS proxy between the operator and the real API server, which forwards every request as it is
 * (the operator's own token included, so the authorizer still judges the operator) and lets a test act
 * at one exact moment: after the API server has applied a request, before the operator hears the
 * answer. It serves with the API server's certificate (the pod's kubeconfig trusts that CA) and
 * streams watches through.
 */
public final class ApiProxy implements AutoCloseable {

    /** A request the API server has answered, not yet passed back. */
    public record Forwarded(String method, String path, String body, int status) {
    }

    /** What a test does at that moment. */
    public interface Hook {
        void answered(Forwarded request) throws Exception;
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding", "host",
            "keep-alive", "upgrade", "te", "trailer", "proxy-connection", "http2-settings");

    private final HttpsServer server;
    private final HttpClient upstream;
    private final String target;
    private volatile Hook hook = request -> {
    };
    public final String url;

    private ApiProxy(ControlPlane plane) throws Exception {
        target = plane.url;
        SSLContext clientContext = SSLContext.getInstance("TLS");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream ca = Files.newInputStream(plane.caCert)) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusting.init(trust);
        clientContext.init(null, trusting.getTrustManagers(), null);
        upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(clientContext)
                .connectTimeout(Duration.ofSeconds(5)).build();

        Path keystore = plane.work.resolve("apiserver.p12");
        Process export = new ProcessBuilder("/usr/bin/openssl", "pkcs12", "-export", "-in", "apiserver.crt", "-inkey",
                "apiserver.key", "-out", keystore.toString(), "-passout", "pass:harness").directory(plane.work.toFile())
                .redirectErrorStream(true).start();
        String out = new String(export.getInputStream().readAllBytes());
        if (export.waitFor() != 0) {
            throw new IllegalStateException("openssl pkcs12 failed: " + out);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "harness".toCharArray());
        }
        KeyManagerFactory keying = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keying.init(keys, "harness".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keying.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::forward);
        server.start();
        url = "https://127.0.0.1:" + server.getAddress().getPort();
    }

    public static ApiProxy start(ControlPlane plane) throws Exception {
        return new ApiProxy(plane);
    }

    public void onAnswered(Hook hook) {
        this.hook = hook;
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.equalsIgnoreCase("expect")) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<InputStream> response;
            try {
                response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            try {
                hook.answered(new Forwarded(exchange.getRequestMethod(), path, new String(body, StandardCharsets.UTF_8),
                        response.statusCode()));
            } catch (Exception e) {
                System.err.println("api proxy hook: " + e);
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            exchange.sendResponseHeaders(response.statusCode(), 0);
            try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0;) {
                    out.write(buffer, 0, n);
                    out.flush(); // a watch's events as they come
                }
            } catch (IOException e) {
                // the client or the server went away, as watches do
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
