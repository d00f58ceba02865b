package io.leakguard.e2e.harness;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real Kubernetes control plane on loopback, built from source by {@code e2e/controlplane/build.sh}
 * (cached per version): etcd, kube-apiserver with RBAC, kube-controller-manager (the controllers a
 * workload needs: Deployments, ReplicaSets, disruption budgets, garbage collection, namespaces, service
 * accounts, node lifecycle) and kube-scheduler. The certificates and keys are made here with openssl.
 * Each component is waited on through its health endpoint and stopped in reverse order; their logs
 * stay in {@code work} for a failing test.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Path BUILD = Path.of("controlplane/build.sh").toAbsolutePath();
    private static Path binaries;

    public final Path work;
    public final Path kubeconfig;
    public final String url;
    public final Path caCert;
    /** The API server's audit log: one JSON event per line. */
    public final Path audit;
    private final Deque<Process> started = new ArrayDeque<>();
    private KubernetesClient admin;
    /** Where pods' kubeconfigs send them: the API server, or a test's proxy in front of it. */
    private volatile String podsApiUrl;

    private ControlPlane(Path work, int apiPort) {
        this.work = work;
        this.kubeconfig = work.resolve("admin.kubeconfig");
        this.url = "https://127.0.0.1:" + apiPort;
        this.caCert = work.resolve("ca.crt");
        this.audit = work.resolve("audit.log");
    }

    /** One request as the API server's audit log saw it, with the answer it gave. */
    public record Request(String user, String verb, String group, String namespace, String resource,
            String subresource, String name, int code, String uri) {
    }

    /** Every audited request so far (those of ServiceAccounts, and every eviction). */
    @SuppressWarnings("unchecked")
    public List<Request> requests() throws IOException {
        if (!Files.exists(audit)) {
            return List.of();
        }
        List<Request> requests = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
            if (line.isBlank()) {
                continue;
            }
            java.util.Map<String, Object> event = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(line, java.util.Map.class);
            java.util.Map<String, Object> user = (java.util.Map<String, Object>) event.getOrDefault("user", java.util.Map.of());
            java.util.Map<String, Object> ref = (java.util.Map<String, Object>) event.getOrDefault("objectRef", java.util.Map.of());
            java.util.Map<String, Object> status = (java.util.Map<String, Object>) event.getOrDefault("responseStatus", java.util.Map.of());
            requests.add(new Request((String) user.get("username"), (String) event.get("verb"),
                    (String) ref.getOrDefault("apiGroup", ""), (String) ref.get("namespace"),
                    (String) ref.get("resource"), (String) ref.get("subresource"), (String) ref.get("name"),
                    status.get("code") instanceof Number n ? n.intValue() : 0, (String) event.get("requestURI")));
        }
        return requests;
    }

    /**
     * Why a control plane cannot be started here (no Go toolchain to build it, no openssl), or null.
     * A missing Go toolchain fails instead when {@code LEAKGUARD_REQUIRE_GO=1}, as CI sets.
     */
    public static String unavailableReason() {
        if (!LeakyWorkload.toolchainPresent()) {
            String missing = "no Go toolchain to build the control plane: install Go 1.26 or newer"
                    + " (https://go.dev/doc/install) or set GO";
            if ("1".equals(System.getenv("LEAKGUARD_REQUIRE_GO"))) {
                throw new IllegalStateException("LEAKGUARD_REQUIRE_GO=1 but " + missing);
            }
            return missing;
        }
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            return "no /usr/bin/openssl to make the control plane's certificates: apt-get install openssl";
        }
        return null;
    }

    /**
     * The folder of the control plane's binaries, built from the Go module proxy on first use (8 minutes
     * on 2 cores) and cached per version under {@code ~/.cache/leakguard/k8s}.
     */
    public static synchronized Path binaries() throws IOException, InterruptedException {
        if (binaries != null) {
            return binaries;
        }
        Path log = Files.createTempFile("controlplane-build", ".log");
        Process build = new ProcessBuilder("bash", BUILD.toString()).redirectError(log.toFile()).start();
        String out = new String(build.getInputStream().readAllBytes()).trim();
        if (build.waitFor() != 0) {
            throw new IllegalStateException("building the control plane with " + BUILD + " failed; run it by hand to"
                    + " see each step (it needs the Go module proxy):\n" + Files.readString(log));
        }
        binaries = Path.of(out);
        return binaries;
    }

    /**
     * Starts the control plane in {@code work}. A free port found by the harness can be taken by another
     * process before a component binds it (clusters start side by side): such a start is made again, with
     * new ports, up to three times.
     */
    public static ControlPlane start(Path work) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(work);
            } catch (Exception e) {
                if (attempt == 3 || !portTaken(work)) {
                    throw e;
                }
                System.err.println("control plane: a port was taken before it could be bound; starting again in "
                        + work);
                try (var files = Files.walk(work)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    private static boolean portTaken(Path work) throws IOException {
        try (var logs = Files.list(work)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                if (Files.readString(log).contains("address already in use")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ControlPlane startOnce(Path work) throws Exception {
        Files.createDirectories(work);
        Path bin = binaries();
        int etcdPort = LocalProcesses.freePort();
        int peerPort = LocalProcesses.freePort();
        ControlPlane plane = new ControlPlane(work, LocalProcesses.freePort());
        try {
            plane.certificates();
            plane.etcd(bin, etcdPort, peerPort);
            plane.apiServer(bin, etcdPort);
            plane.controllerManager(bin);
            plane.scheduler(bin);
        } catch (Exception e) {
            plane.close();
            throw e;
        }
        return plane;
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + out);
        }
    }

    private void certificate(String name, String subject, String extensions) throws IOException, InterruptedException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        List<String> sign = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2"));
        if (extensions != null) {
            Files.writeString(work.resolve(name + ".ext"), extensions + "\n");
            sign.addAll(List.of("-extfile", name + ".ext"));
        }
        openssl(sign.toArray(String[]::new));
    }

    /** A CA; the API server's serving certificate for 127.0.0.1; an admin client; the service-account keys. */
    private void certificates() throws IOException, InterruptedException {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=leakguard-e2e-ca");
        certificate("apiserver", "/CN=kube-apiserver",
                "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc,IP:10.0.0.1");
        certificate("admin", "/CN=admin/O=system:masters", null);
        openssl("genrsa", "-out", "sa.key", "2048");
        openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: e2e, cluster: {server: "%s", certificate-authority: "%s"}}]
                users: [{name: admin, user: {client-certificate: "%s", client-key: "%s"}}]
                contexts: [{name: e2e, context: {cluster: e2e, user: admin, namespace: default}}]
                current-context: e2e
                """.formatted(url, caCert, work.resolve("admin.crt"), work.resolve("admin.key")));
    }

    private Process run(String name, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
        started.push(process);
        return process;
    }

    private void etcd(Path bin, int port, int peerPort) throws Exception {
        String client = "http://127.0.0.1:" + port;
        Process etcd = run("etcd", List.of(bin.resolve("etcd").toString(), "--data-dir", work.resolve("etcd").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "default=http://127.0.0.1:" + peerPort,
                "--unsafe-no-fsync", "--log-level", "warn"));
        LocalProcesses.await("etcd", etcd, client + "/health", work.resolve("etcd.log"), Duration.ofSeconds(30));
    }

    private void apiServer(Path bin, int etcdPort) throws Exception {
        String port = url.substring(url.lastIndexOf(':') + 1);
        // The audit log keeps what the tests assert on: every request a ServiceAccount makes (the
        // operator's, with the authorizer's answer) and every eviction, whoever asks. ResponseStarted is
        // kept: a watch is logged then, not only when it ends minutes later.
        Files.writeString(work.resolve("audit-policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: [RequestReceived]
                rules:
                  - level: Metadata
                    userGroups: ["system:serviceaccounts"]
                  - level: Metadata
                    resources: [{group: "", resources: ["pods/eviction"]}]
                  - level: None
                """);
        Process apiServer = run("kube-apiserver", List.of(bin.resolve("kube-apiserver").toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--secure-port=" + port, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
                // No real endpoints: the kubernetes Service's address leads nowhere here.
                "--endpoint-reconciler-type=none",
                "--authorization-mode=RBAC",
                "--client-ca-file=" + caCert, "--tls-cert-file=" + work.resolve("apiserver.crt"),
                "--tls-private-key-file=" + work.resolve("apiserver.key"),
                "--service-account-key-file=" + work.resolve("sa.pub"),
                "--service-account-signing-key-file=" + work.resolve("sa.key"),
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--audit-policy-file=" + work.resolve("audit-policy.yaml"), "--audit-log-path=" + audit,
                "--audit-log-mode=blocking",
                "--cert-dir=" + work.resolve("apiserver-certs")));
        admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
                .withRequestRetryBackoffLimit(0).build()).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            if (!apiServer.isAlive()) {
                throw new IllegalStateException("kube-apiserver exited at start-up; see " + work.resolve("kube-apiserver.log"));
            }
            try {
                if ("ok".equals(admin.raw("/readyz"))) {
                    break;
                }
            } catch (RuntimeException e) {
                // not serving yet
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("kube-apiserver not ready within 60 s; see " + work.resolve("kube-apiserver.log"));
            }
            Thread.sleep(200);
        }
    }

    private void controllerManager(Path bin) throws Exception {
        int port = LocalProcesses.freePort();
        Process manager = run("kube-controller-manager", List.of(bin.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig, "--leader-elect=false",
                "--bind-address=127.0.0.1", "--secure-port=" + port, "--cert-dir=" + work.resolve("controller-manager-certs"),
                "--controllers=replicaset-controller,deployment-controller,disruption-controller,garbage-collector-controller,"
                        + "namespace-controller,serviceaccount-controller,node-lifecycle-controller,taint-eviction-controller,"
                        + "pod-garbage-collector-controller,root-ca-certificate-publisher-controller",
                "--root-ca-file=" + caCert, "--node-monitor-period=2s", "--concurrent-replicaset-syncs=5",
                // A test's own pace, not a shared cluster's: the scale benchmark's 10,000 pods took ten minutes
                // to create at the default 20 requests a second.
                "--kube-api-qps=200", "--kube-api-burst=400"));
        awaitHealthy("kube-controller-manager", manager, port);
    }

    private void scheduler(Path bin) throws Exception {
        int port = LocalProcesses.freePort();
        Process scheduler = run("kube-scheduler", List.of(bin.resolve("kube-scheduler").toString(),
                "--kubeconfig=" + kubeconfig, "--leader-elect=false",
                "--bind-address=127.0.0.1", "--secure-port=" + port, "--cert-dir=" + work.resolve("scheduler-certs"),
                "--kube-api-qps=200", "--kube-api-burst=400"));
        awaitHealthy("kube-scheduler", scheduler, port);
    }

    private void awaitHealthy(String name, Process process, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustingLoopback()).connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start-up; see " + work.resolve(name + ".log"));
            }
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
                last = answer.statusCode() + " " + answer.body();
            } catch (IOException e) {
                last = e.toString(); // not serving yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not healthy within 60 s (last answer: " + last + "); see "
                + work.resolve(name + ".log"));
    }

    /** The controller-manager and scheduler serve health with a certificate they make themselves. */
    private static SSLContext trustingLoopback() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        // An extended trust manager: a plain one is wrapped by the JDK, which then checks the host name.
        context.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return context;
    }

    /** A client with cluster-admin rights (system:masters), which does not retry: a refusal must show. */
    public KubernetesClient admin() {
        return admin;
    }

    /** Sends the pods started from now on to {@code url} (an {@link ApiProxy}) instead of the API server. */
    public void routePodsThrough(String url) {
        podsApiUrl = url;
    }

    /** A kubeconfig for a ServiceAccount's token, as a pod's projected token volume would give it. */
    public String kubeconfigForToken(String token, String namespace) {
        return """
                apiVersion: v1
                kind: Config
                clusters: [{name: e2e, cluster: {server: "%s", certificate-authority: "%s"}}]
                users: [{name: sa, user: {token: "%s"}}]
                contexts: [{name: e2e, context: {cluster: e2e, user: sa, namespace: %s}}]
                current-context: e2e
                """.formatted(podsApiUrl == null ? url : podsApiUrl, caCert, token, namespace);
    }

    @Override
    public void close() throws InterruptedException {
        if (admin != null) {
            admin.close();
        }
        while (!started.isEmpty()) {
            LocalProcesses.stop(started.pop());
        }
    }
}
