package io.leakguard.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart, linted and rendered offline by Helm itself (as a native library): lint --strict, golden
 * renders for three value sets, every rendered object read as a typed Kubernetes object, the RBAC
 * rule by rule, and bad values refused by values.schema.json. Regenerate the golden renders with
 * {@code ./mvnw -pl helm test -Dleakguard.updateGolden=true}.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("leakguard");
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final Path VALUES = Path.of("src/test/resources/values");

    private static String render(String valuesFile) {
        var template = new Helm(CHART).template().withName("leakguard").withNamespace("leakguard-system")
                .withKubeVersion("1.31.0");
        if (valuesFile != null) {
            template.withValuesFile(VALUES.resolve(valuesFile));
        }
        return template.call();
    }

    private static List<HasMetadata> objects(String rendered) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : rendered.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            objects.add(Serialization.unmarshal(document, HasMetadata.class));
        }
        return objects;
    }

    @Test
    void lintStrictPasses() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "namespaced-ha", "monitoring-jvm", "shards"})
    void renderMatchesItsGoldenFile(String name) throws IOException {
        String rendered = render(name.equals("default") ? null : name + ".yaml");
        Path golden = GOLDEN.resolve(name + ".yaml");
        if (Boolean.getBoolean("leakguard.updateGolden")) {
            Files.writeString(golden, rendered);
        }
        assertThat(rendered).as("render of %s; regenerate with -Dleakguard.updateGolden=true", name)
                .isEqualTo(Files.readString(golden));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "namespaced-ha", "monitoring-jvm", "shards"})
    void everyRenderedObjectIsATypedKubernetesObjectWithStandardLabels(String name) {
        for (HasMetadata object : objects(render(name.equals("default") ? null : name + ".yaml"))) {
            boolean custom = object.getApiVersion().startsWith("monitoring.coreos.com/");
            assertThat(object instanceof GenericKubernetesResource).as("%s %s is typed", object.getKind(),
                    object.getMetadata().getName()).isEqualTo(custom);
            assertThat(object.getMetadata().getLabels()).as("labels of %s", object.getKind())
                    .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                            "app.kubernetes.io/managed-by", "helm.sh/chart");
        }
    }

    @Test
    void theDeploymentIsLockedDown() {
        Deployment deployment = objects(render(null)).stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).findFirst().orElseThrow();
        var pod = deployment.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("LEAKGUARD_LEADER_ELECTION_ENABLED");
            assertThat(e.getValue()).isEqualTo("false");
        });
    }

    private static List<String> rules(List<PolicyRule> rules) {
        return rules.stream().map(r -> String.join(",", r.getApiGroups()) + "|" + String.join(",", r.getResources())
                + "|" + String.join(",", r.getVerbs())
                + (r.getResourceNames() == null || r.getResourceNames().isEmpty() ? "" : "|" + String.join(",", r.getResourceNames())))
                .toList();
    }

    private static final List<String> NAMESPACED = List.of(
            "|pods|list,watch",
            "|pods/eviction|create",
            "|events|create",
            "|configmaps|list,create,delete",
            "|secrets|get",
            "leakguard.io|leakpolicies|get,list,watch,patch",
            "leakguard.io|leakpolicies/status|patch");

    @Test
    void defaultRbacIsExactlyWhatTheOperatorUsesClusterWideWithoutExec() {
        List<HasMetadata> objects = objects(render(null));
        Map<String, ClusterRole> roles = new java.util.HashMap<>();
        objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .forEach(r -> roles.put(r.getMetadata().getName(), r));
        assertThat(roles).containsOnlyKeys("leakguard", "leakguard-crd", "leakguard-policy-editor");
        assertThat(rules(roles.get("leakguard").getRules())).containsExactlyElementsOf(NAMESPACED);
        assertThat(rules(roles.get("leakguard-crd").getRules()))
                .containsExactly("apiextensions.k8s.io|customresourcedefinitions|get|leakpolicies.leakguard.io");
        assertThat(objects).noneMatch(Role.class::isInstance);
    }

    @Test
    void listedNamespacesGetRolesAndHaGetsALeaseRole() {
        List<HasMetadata> objects = objects(render("namespaced-ha.yaml"));
        List<Role> roles = objects.stream().filter(Role.class::isInstance).map(Role.class::cast).toList();
        assertThat(roles).extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                .containsExactlyInAnyOrder("shop/leakguard", "payments/leakguard", "leakguard-system/leakguard-leader-election");
        roles.stream().filter(r -> r.getMetadata().getName().equals("leakguard"))
                .forEach(r -> assertThat(rules(r.getRules())).containsExactlyElementsOf(NAMESPACED));
        Role lease = roles.stream().filter(r -> r.getMetadata().getName().endsWith("leader-election")).findFirst().orElseThrow();
        assertThat(rules(lease.getRules())).containsExactly("coordination.k8s.io|leases|get,create,update");
        assertThat(objects.stream().filter(ClusterRole.class::isInstance).map(o -> o.getMetadata().getName()))
                .containsExactlyInAnyOrder("leakguard-crd", "leakguard-policy-editor");
        Deployment deployment = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("LEAKGUARD_NAMESPACES=shop,payments"))
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("LEAKGUARD_LEADER_ELECTION_ENABLED=true"));
    }

    @Test
    void shardsRunOneDeploymentEachOverItsOwnNamespacesWithItsOwnLease() {
        List<HasMetadata> objects = objects(render("shards.yaml"));
        List<Deployment> deployments = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
        assertThat(deployments).extracting(d -> d.getMetadata().getName()).containsExactly("leakguard-a", "leakguard-b");
        Map<String, String> namespaces = new java.util.HashMap<>();
        Map<String, String> leases = new java.util.HashMap<>();
        for (Deployment d : deployments) {
            String shard = d.getMetadata().getLabels().get("leakguard.io/shard");
            assertThat(d.getSpec().getSelector().getMatchLabels()).containsEntry("leakguard.io/shard", shard);
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("leakguard.io/shard", shard);
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().forEach(e -> {
                if (e.getName().equals("LEAKGUARD_NAMESPACES")) {
                    namespaces.put(shard, e.getValue());
                } else if (e.getName().equals("LEAKGUARD_LEADER_ELECTION_LEASE_NAME")) {
                    leases.put(shard, e.getValue());
                }
            });
        }
        assertThat(namespaces).containsExactlyInAnyOrderEntriesOf(Map.of("a", "shop,payments", "b", "search"));
        assertThat(leases).containsExactlyInAnyOrderEntriesOf(Map.of("a", "leakguard-a", "b", "leakguard-b"));
        assertThat(objects.stream().filter(Role.class::isInstance).map(o -> o.getMetadata().getNamespace()))
                .containsExactlyInAnyOrder("shop", "payments", "search");
        assertThat(objects.stream().filter(ClusterRole.class::isInstance).map(o -> o.getMetadata().getName()))
                .containsExactlyInAnyOrder("leakguard-crd", "leakguard-policy-editor");
    }

    @Test
    void aNamespaceInTwoShardsIsRefusedBecauseItsPodsWouldBeWatchedTwice() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("leakguard").withKubeVersion("1.31.0")
                .set("shards[0].name", "a").set("shards[0].namespaces[0]", "shop")
                .set("shards[1].name", "b").set("shards[1].namespaces[0]", "shop").call())
                .hasMessageContaining("namespace shop is in shards a and b");
        assertThatThrownBy(() -> new Helm(CHART).template().withName("leakguard").withKubeVersion("1.31.0")
                .set("shards[0].name", "a").set("shards[0].namespaces[0]", "shop").set("watchNamespaces[0]", "shop").call())
                .hasMessageContaining("set watchNamespaces or shards, not both");
    }

    @Test
    void podExecIsGrantedOnlyWhenAskedFor() {
        ClusterRole role = objects(render("monitoring-jvm.yaml")).stream().filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast).filter(r -> r.getMetadata().getName().equals("leakguard")).findFirst().orElseThrow();
        assertThat(rules(role.getRules())).contains("|pods/exec|create", "|pods/log|get");
    }

    @Test
    void thePolicyEditorRoleGrantsLeakPoliciesAndNothingElse() {
        ClusterRole editor = objects(render(null)).stream().filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast).filter(r -> r.getMetadata().getName().equals("leakguard-policy-editor"))
                .findFirst().orElseThrow();
        assertThat(rules(editor.getRules())).containsExactly(
                "leakguard.io|leakpolicies|get,list,watch,create,update,patch,delete",
                "leakguard.io|leakpolicies/status|get");
        assertThat(editor.getMetadata().getLabels()).doesNotContainKey("rbac.authorization.k8s.io/aggregate-to-edit");
    }

    @Test
    void theNetworkPolicyLetsTheOperatorReachOnlyDnsTheApiServerPodsAndWhatTheAdminAdds() {
        String rendered = new Helm(CHART).template().withName("leakguard").withNamespace("leakguard-system")
                .withKubeVersion("1.31.0").set("networkPolicy.enabled", "true")
                .set("networkPolicy.apiServerCidrs[0]", "10.0.0.1/32")
                .set("networkPolicy.extraEgress[0].to[0].ipBlock.cidr", "192.0.2.10/32").call();
        var policy = objects(rendered).stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy)
                .map(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class::cast).findFirst().orElseThrow();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        var egress = policy.getSpec().getEgress();
        assertThat(egress).hasSize(4);
        assertThat(egress.get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsOnly(53);
        assertThat(egress.get(1).getTo()).singleElement().satisfies(t -> assertThat(t.getIpBlock().getCidr())
                .isEqualTo("10.0.0.1/32"));
        assertThat(egress.get(2).getTo()).singleElement().satisfies(t -> assertThat(t.getNamespaceSelector()).isNotNull());
        assertThat(egress.get(3).getTo()).singleElement().satisfies(t -> assertThat(t.getIpBlock().getCidr())
                .isEqualTo("192.0.2.10/32"));
        assertThat(objects(render(null))).as("off by default: it needs a CNI that enforces it")
                .noneMatch(o -> o instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy);
    }

    @ParameterizedTest
    @ValueSource(strings = {"replicaCount=0", "image.pullPolicy=Sometimes", "watchNamespaces[0]=Not_A_Namespace",
        "service.port=70000", "serviceMonitor.interval=often", "rbac.podExec=maybe", "unknownKey=1",
        "shards[0].name=Not_A_Name", "shards[0].name=a"})
    void badValuesAreRefusedWithAMessage(String setting) {
        int eq = setting.indexOf('=');
        assertThatThrownBy(() -> new Helm(CHART).template().withName("leakguard")
                .set(setting.substring(0, eq), setting.substring(eq + 1)).call())
                .hasMessageContaining("values don't meet the specifications of the schema");
    }
}
