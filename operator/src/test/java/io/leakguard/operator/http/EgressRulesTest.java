package io.leakguard.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A tenant's URLs may only send the shared operator where the cluster admin allows. */
class EgressRulesTest {

    private static final EgressRules DEFAULTS = new EgressRules(List.of(), false, false);

    @Test
    void theCloudMetadataServiceIsRefusedByDefault() {
        assertThat(DEFAULTS.refusal("http://169.254.169.254/latest/meta-data/")).contains("link-local");
        assertThat(DEFAULTS.refusal("http://[fe80::1]:9093")).contains("link-local");
        assertThat(DEFAULTS.refusal("http://metadata.google.internal/computeMetadata/v1/")).contains("link-local");
    }

    @Test
    void theOperatorsOwnLoopbackIsRefusedByDefault() {
        assertThat(DEFAULTS.refusal("http://127.0.0.1:8080/q/metrics")).contains("loopback");
        assertThat(DEFAULTS.refusal("http://localhost:9093")).contains("loopback");
        assertThat(DEFAULTS.refusal("http://[::1]:9093")).contains("loopback");
        assertThat(new EgressRules(List.of(), true, false).refusal("http://127.0.0.1:9093")).isNull();
    }

    @Test
    void credentialsInTheUrlAndAFragmentHidingThePathAreRefused() {
        assertThat(DEFAULTS.refusal("http://user:pass@alertmanager.monitoring:9093")).contains("user name or password");
        assertThat(DEFAULTS.refusal("http://kubelet.example:10250/pods#")).contains("fragment");
        assertThat(DEFAULTS.refusal("file:///etc/passwd")).contains("not an http or https URL");
    }

    @Test
    void anAllowListLetsOnlyItsHostsThrough() {
        EgressRules rules = new EgressRules(List.of("alertmanager.monitoring", "*.svc.cluster.local"), false, false);
        assertThat(rules.refusal("http://alertmanager.monitoring:9093")).isNull();
        assertThat(rules.refusal("http://prometheus.monitoring.svc.cluster.local:9090")).isNull();
        assertThat(rules.refusal("https://attacker.example/collect")).contains("not in the operator's allowed hosts");
        assertThat(DEFAULTS.refusal("http://alertmanager.monitoring:9093")).isNull();
    }
}
