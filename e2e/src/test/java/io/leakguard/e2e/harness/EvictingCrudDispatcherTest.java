package io.leakguard.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The harness's API server answers evictions as a real one does, PodDisruptionBudgets included. */
class EvictingCrudDispatcherTest {

    KubernetesMockServer server;
    KubernetesClient client;
    final EvictingCrudDispatcher dispatcher = new EvictingCrudDispatcher();

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        // A 429 must come back at once, as LeakGuard's Evictor sees it, not after the client's own retries.
        try (KubernetesClient retrying = server.createClient()) {
            client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                    new io.fabric8.kubernetes.client.ConfigBuilder(retrying.getConfiguration())
                            .withRequestRetryBackoffLimit(0).build()).build();
        }
        for (int i = 1; i <= 3; i++) {
            client.pods().inNamespace("shop").resource(pod("web-" + i, true)).create();
        }
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private static Pod pod(String name, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    private boolean evict(String name) {
        return client.pods().inNamespace("shop").withName(name).evict();
    }

    private void budget(IntOrString minAvailable, IntOrString maxUnavailable) {
        client.resource(new PodDisruptionBudgetBuilder().withNewMetadata().withName("web").withNamespace("shop")
                .endMetadata().withNewSpec().withMinAvailable(minAvailable).withMaxUnavailable(maxUnavailable)
                .withNewSelector().addToMatchLabels("app", "web").endSelector().endSpec().build()).create();
    }

    @Test
    void withoutABudgetTheEvictionSucceedsAndThePodGoes() {
        assertThat(evict("web-1")).isTrue();
        assertThat(client.pods().inNamespace("shop").withName("web-1").get()).isNull();
    }

    @Test
    void minAvailableForbidsTheEvictionThatWouldGoBelowIt() {
        budget(new IntOrString(3), null);
        assertThat(evict("web-1")).as("429: the budget forbids it").isFalse();
        assertThat(client.pods().inNamespace("shop").withName("web-1").get()).isNotNull();
    }

    @Test
    void maxUnavailableAllowsOneThenForbidsTheNextWhileTheFirstIsNotReady() {
        budget(null, new IntOrString(1));
        assertThat(evict("web-1")).isTrue();
        client.pods().inNamespace("shop").resource(pod("web-4", false)).create();
        assertThat(evict("web-2")).as("one is already unavailable").isFalse();
    }

    @Test
    void percentagesAreRoundedAsTheApiServerDoes() {
        budget(new IntOrString("50%"), null);
        assertThat(evict("web-1")).as("3 healthy, 2 required (50% of 3, rounded up)").isTrue();
        assertThat(evict("web-2")).as("2 healthy, 1 required").isTrue();
        assertThat(evict("web-3")).as("1 healthy, 1 required").isFalse();
    }

    @Test
    void aUidPreconditionThatDoesNotMatchIsAConflict() {
        var eviction = new EvictionBuilder().withNewMetadata().withName("web-1").withNamespace("shop").endMetadata()
                .withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions().withUid("someone-else")
                        .endPreconditions().build()).build();
        assertThatThrownBy(() -> client.pods().inNamespace("shop").withName("web-1").evict(eviction))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    }

    @Test
    void anUnknownPodIsNotFound() {
        assertThatThrownBy(() -> evict("nope")).isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(404));
    }

    @Test
    void aPatchIsStoredAndItsHookSeesItBeforeTheAnswer() {
        List<String> seen = new CopyOnWriteArrayList<>();
        dispatcher.onPatched((path, body) -> seen.add(path + " " + body));

        client.pods().inNamespace("shop").withName("web-1").edit(p -> {
            p.getMetadata().getLabels().put("patched", "yes");
            return p;
        });

        client.pods().inNamespace("shop").withName("web-1").editStatus(p -> {
            p.getStatus().setPhase("Running");
            return p;
        });

        assertThat(client.pods().inNamespace("shop").withName("web-1").get().getMetadata().getLabels())
                .containsEntry("patched", "yes");
        assertThat(seen).hasSize(2).first().asString().startsWith("/api/v1/namespaces/shop/pods/web-1").contains("patched");
    }

    /**
     * A new policy read back from the server has no status; the operator's first status patch (a JSON
     * patch computed from it) must be accepted. With a default empty status on the class, the patch
     * replaced fields the server never had, and was refused.
     */
    @Test
    void theFirstStatusPatchOfANewPolicyIsStored() throws Exception {
        client.resource(Serialization.unmarshal(Files.readString(Cluster.CRD), CustomResourceDefinition.class)).create();
        var policy = Serialization.unmarshal("""
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: p, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                """, LeakPolicy.class);
        client.resource(policy).create();
        client.resources(LeakPolicy.class).inNamespace("shop").withName("p").editStatus(p -> {
            p.setStatus(new LeakPolicyStatus());
            p.getStatus().restarts = 3;
            return p;
        });
        assertThat(client.resources(LeakPolicy.class).inNamespace("shop").withName("p").get()
                .getStatus().restarts).isEqualTo(3);
    }
}
