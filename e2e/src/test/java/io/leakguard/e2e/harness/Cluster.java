package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.leakguard.api.v1alpha1.LeakPolicy;

/**
 * The embedded cluster of one test class (or of the demo): the fabric8 mock API server with the
 * eviction and PodDisruptionBudget semantics of {@link EvictingCrudDispatcher}, the LeakPolicy CRD
 * installed, and a client for the test. Workloads and the operator are added to it.
 */
public final class Cluster implements AutoCloseable {

    static final Path CRD = Path.of("../crds/leakpolicies.leakguard.io-v1.yml");
    /** The mock server logs every request at INFO; kept here so the setting is not collected. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    public final EvictingCrudDispatcher dispatcher = new EvictingCrudDispatcher();
    private final KubernetesMockServer server;
    public final KubernetesClient client;
    public final Path work;

    private Cluster(Path work) throws IOException {
        this.work = work;
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        try (KubernetesClient retrying = server.createClient()) {
            // The test's own client does not retry: a refused request must show, not be hidden.
            client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(retrying.getConfiguration())
                    .withRequestRetryBackoffLimit(0).build()).build();
        }
        client.resource(Serialization.unmarshal(Files.readString(CRD), CustomResourceDefinition.class)).create();
    }

    public static Cluster start(Path work) throws IOException {
        Files.createDirectories(work);
        return new Cluster(work);
    }

    /**
     * Why the real-process scenarios cannot run here (no writable memory cgroups, or no Go toolchain),
     * or null. A missing Go toolchain fails instead when {@code LEAKGUARD_REQUIRE_GO=1}, as CI sets.
     */
    public static String realProcessesUnavailable() {
        String reason = CgroupProcess.unavailableReason();
        if (reason != null) {
            return reason;
        }
        if (!LeakyWorkload.toolchainPresent()) {
            String missing = "no Go toolchain: install Go 1.26 or newer (https://go.dev/doc/install) or set GO";
            if ("1".equals(System.getenv("LEAKGUARD_REQUIRE_GO"))) {
                throw new IllegalStateException("LEAKGUARD_REQUIRE_GO=1 but " + missing);
            }
            return missing;
        }
        return null;
    }

    public String apiServerUrl() {
        return server.url("");
    }

    /** The packaged operator in its own process, pointed at this cluster. */
    public OperatorProcess startOperator(String name, Map<String, String> env) throws IOException, InterruptedException {
        return OperatorProcess.start(apiServerUrl(), work.resolve(name + ".log"), env);
    }

    /** Creates the object in a YAML document, as {@code kubectl create -f} would. */
    public void create(String yaml) {
        client.resource((HasMetadata) Serialization.unmarshal(yaml)).create();
    }

    public LeakPolicy policy(String namespace, String name) {
        return client.resources(LeakPolicy.class).inNamespace(namespace).withName(name).get();
    }

    /** A Secret holding a Slack webhook URL, as a team would create it. */
    public void slackSecret(String namespace, String name, String url) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
                .addToLabels("leakguard.io/readable", "true")
                .endMetadata().addToData("url", Base64.getEncoder().encodeToString(url.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
    }

    public List<Event> events(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
