package io.leakguard.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** With leader election on, the operator only works while it holds the Lease, so two replicas never both act. */
@QuarkusTest
@TestProfile(LeaderElectionTest.LeaderElectionOn.class)
@WithKubernetesTestServer(crud = true, setup = LeaderElectionTest.GrantLeaseAccess.class)
class LeaderElectionTest {

    /** The mock API server has no RBAC; answer JOSDK's access check the way a correctly bound Role would. */
    public static class GrantLeaseAccess implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                    .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus()
                            .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                            .withVerbs("get", "create", "update").endResourceRule()
                            .withIncomplete(false).endStatus().build())
                    .always();
        }
    }

    public static class LeaderElectionOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("leakguard.leader-election.enabled", "true",
                    "leakguard.leader-election.lease-name", "leakguard-test-lease",
                    "leakguard.leader-election.lease-namespace", "leakguard-system",
                    // Stopping the test app gives up the lease; exiting then would kill the test JVM.
                    "leakguard.leader-election.exit-on-lost-lease", "false");
        }
    }

    @Inject
    KubernetesClient client;

    @Test
    void operatorTakesTheConfiguredLease() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Lease lease = client.leases().inNamespace("leakguard-system").withName("leakguard-test-lease").get();
            assertThat(lease).as("Lease leakguard-system/leakguard-test-lease").isNotNull();
            assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
        });
    }
}
