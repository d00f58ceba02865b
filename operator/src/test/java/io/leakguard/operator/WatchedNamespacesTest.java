package io.leakguard.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** LEAKGUARD_NAMESPACES limits what the operator watches: policies elsewhere are left untouched. */
@QuarkusTest
@TestProfile(WatchedNamespacesTest.OnlyTeamA.class)
@WithKubernetesTestServer(crud = true)
class WatchedNamespacesTest {

    public static class OnlyTeamA implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("leakguard.namespaces", "team-a");
        }
    }

    @Inject
    KubernetesClient client;

    private LeakPolicy policy(String namespace) {
        return io.leakguard.operator.testing.Fixtures.goPolicy(namespace, "svc", Map.of("app", "svc"));
    }

    @Test
    void onlyPoliciesInTheWatchedNamespaceAreReconciled() {
        client.resource(policy("team-a")).create();
        client.resource(policy("team-b")).create();

        await().atMost(Duration.ofSeconds(10)).until(() -> client.resources(LeakPolicy.class).inNamespace("team-a")
                .withName("svc").get().getStatus() != null);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        LeakPolicy ignored = client.resources(LeakPolicy.class).inNamespace("team-b").withName("svc").get();
        assertThat(ignored.getStatus()).as("the status of a policy outside LEAKGUARD_NAMESPACES").isNull();
        assertThat(ignored.getMetadata().getFinalizers()).isNullOrEmpty();
    }
}
