package io.leakguard.e2e.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS proxy between the operator and the real API server that passes every request through as it is
 * (the operator's own token included, so the authorizer still judges the operator; watches and
 * WebSocket upgrades streamed), and lets a test act at one exact moment: after the API server has
 * applied a request, before the operator hears the answer. It serves with the API server's certificate,
 * which the pod's kubeconfig trusts. One request per connection: it asks the API server to close after
 * each answer, so an answer ends where its stream ends.
 */
public final class ApiProxy implements AutoCloseable {

    /** A request the API server has answered, not yet passed back. */
    public record Forwarded(String method, String path, String body, int status) {
    }

    /** What a test does at that moment. */
    public interface Hook {
        void answered(Forwarded request) throws Exception;
    }

    private final SSLServerSocket server;
    private final SSLContext clientContext;
    private final int upstreamPort;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private volatile Hook hook = request -> {
    };
    private volatile Hook sending = request -> {
    };
    private volatile boolean closed;
    public final String url;

    private ApiProxy(ControlPlane plane) throws Exception {
        upstreamPort = Integer.parseInt(plane.url.substring(plane.url.lastIndexOf(':') + 1));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream ca = Files.newInputStream(plane.caCert)) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusting.init(trust);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trusting.getTrustManagers(), null);

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
        server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 64, InetAddress.getLoopbackAddress());
        SSLParameters parameters = server.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        server.setSSLParameters(parameters);
        url = "https://127.0.0.1:" + server.getLocalPort();
        Thread acceptor = new Thread(this::accept, "api-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ApiProxy start(ControlPlane plane) throws Exception {
        return new ApiProxy(plane);
    }

    /** What a test does when a request other than a GET has been read, before it is sent on (status 0). */
    public void onSending(Hook hook) {
        this.sending = hook;
    }

    public void onAnswered(Hook hook) {
        this.hook = hook;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                connections.submit(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("api proxy: " + e);
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            String method = requestLine[0];
            String path = requestLine[1];
            boolean upgrade = false;
            int length = 0;
            StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                String name = colon < 0 ? line : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = colon < 0 ? "" : line.substring(colon + 1).trim();
                if (name.equals("upgrade")) {
                    upgrade = true;
                }
                if (name.equals("content-length")) {
                    length = Integer.parseInt(value);
                }
                if (name.equals("connection")) {
                    continue;
                }
                forwarded.append(line).append("\r\n");
            }
            forwarded.append(upgrade ? "Connection: Upgrade\r\n" : "Connection: close\r\n").append("\r\n");
            byte[] body = in.readNBytes(length);
            if (!method.equals("GET") && !upgrade) {
                try {
                    sending.answered(new Forwarded(method, path, new String(body, StandardCharsets.UTF_8), 0));
                } catch (Exception e) {
                    System.err.println("api proxy hook: " + e);
                }
            }
            try (SSLSocket upstream = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", upstreamPort)) {
                SSLParameters parameters = upstream.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"http/1.1"});
                upstream.setSSLParameters(parameters);
                OutputStream toServer = upstream.getOutputStream();
                toServer.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                toServer.write(body);
                toServer.flush();
                InputStream fromServer = upstream.getInputStream();
                OutputStream toClient = client.getOutputStream();
                if (upgrade) {
                    connections.submit(() -> pump(in, toServer));
                    pump(fromServer, toClient);
                } else if (method.equals("GET")) {
                    pump(fromServer, toClient);
                } else {
                    // Read the whole answer, let the test act, then pass it on.
                    byte[] answer = fromServer.readAllBytes();
                    String status = new String(answer, 0, Math.min(answer.length, 12), StandardCharsets.ISO_8859_1);
                    int code = status.length() >= 12 ? Integer.parseInt(status.substring(9, 12)) : 0;
                    try {
                        hook.answered(new Forwarded(method, path, new String(body, StandardCharsets.UTF_8), code));
                    } catch (Exception e) {
                        System.err.println("api proxy hook: " + e);
                    }
                    toClient.write(answer);
                    toClient.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // a client or the server went away, as watches do
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0;) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                return text.substring(0, text.length() - 4);
            }
        }
        return null;
    }

    private static void pump(InputStream from, OutputStream to) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = from.read(buffer)) >= 0;) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        connections.shutdownNow();
    }
}
