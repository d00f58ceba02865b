package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.leakguard.e2e.harness.CgroupProcess;
import io.leakguard.e2e.harness.HarnessKubelet;
import io.leakguard.e2e.harness.KubeCluster;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC, each rule needed: with the {@code pods/eviction} rule taken out of the chart's
 * ClusterRole, the real authorizer refuses the operator's eviction of a leaking pod, the pod is not
 * touched, and the policy's status says what is missing in the API server's own words; once the rule
 * is back, the next attempt evicts it.
 */
class ChartRbacE2E {

    @Test
    void withoutTheEvictionRuleTheRefusalIsInStatusAndTheRuleBackLetsTheEvictionThrough() throws Exception {
        String reason = KubeCluster.unavailableReason();
        KubeCluster.assumeRunnable("ChartRbacE2E", reason);
        try (KubeCluster cluster = KubeCluster.start(Files.createTempDirectory("chart-rbac-e2e"))) {
            cluster.installOperator(Map.of(), Map.of());
            var roles = cluster.client.rbac().clusterRoles().withName("leakguard");
            List<PolicyRule> full = roles.get().getRules();
            PolicyRule eviction = full.stream().filter(r -> r.getResources().contains("pods/eviction")).findFirst().orElseThrow();
            roles.edit(role -> {
                List<PolicyRule> without = new ArrayList<>(full);
                without.remove(eviction);
                role.setRules(without);
                return role;
            });

            cluster.namespace("shop");
            cluster.leakyDeployment("shop", "checkout", 2, Workloads.LIMIT, Workloads.firstLeaksFlags());
            cluster.awaitReady("shop", "checkout", 2, Duration.ofMinutes(2));
            String leaking = cluster.runningPods("shop").get(0);
            cluster.create(Workloads.policy("shop", "", "", "{}"));

            await().ignoreExceptions().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                    assertThat(cluster.policy("shop", "checkout").getStatus().remediations).anySatisfy(r -> {
                        assertThat(r.pod).isEqualTo(leaking);
                        assertThat(r.result).isEqualTo("Failed");
                        assertThat(r.reason).contains("403").contains("cannot create resource \"pods/eviction\"");
                    }));
            assertThat(cluster.operatorForbidden()).as("the authorizer's refusals, in the audit log")
                    .anySatisfy(r -> assertThat(r.subresource()).isEqualTo("eviction"));
            assertThat(cluster.evictions("shop")).isEmpty();
            assertThat(cluster.kubelet.lives("shop")).as("the leaking pod is left running").isEmpty();

            roles.edit(role -> {
                role.setRules(full);
                return role;
            });
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> !cluster.kubelet.lives("shop").isEmpty());
            HarnessKubelet.Life life = cluster.kubelet.lives("shop").get(0);
            assertThat(life.pod()).isEqualTo(leaking);
            assertThat(life.ending()).as("the eviction, once allowed, before the kernel's OOM kill")
                    .isEqualTo(CgroupProcess.Ending.TerminatedGracefully);
            assertThat(cluster.evictions("shop")).containsExactly(leaking);
        }
    }
}
