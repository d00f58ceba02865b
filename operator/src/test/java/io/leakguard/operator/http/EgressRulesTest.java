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

    @Test
    void aNameThatResolvesToTheMetadataServiceOrLoopbackIsRefused() throws Exception {
        var metadata = java.net.InetAddress.getByAddress("prometheus.evil.example", new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254});
        var loop = java.net.InetAddress.getByAddress("prometheus.evil.example", new byte[] {127, 0, 0, 1});
        var fine = java.net.InetAddress.getByAddress("prometheus.monitoring", new byte[] {10, 0, 3, 7});

        assertThat(DEFAULTS.addressRefusal("prometheus.evil.example", List.of(fine, metadata)))
                .contains("resolves to 169.254.169.254").contains("egress.allowLinkLocal");
        assertThat(DEFAULTS.addressRefusal("prometheus.evil.example", List.of(loop))).contains("egress.allowLoopback");
        assertThat(DEFAULTS.addressRefusal("prometheus.monitoring", List.of(fine))).isNull();
        assertThat(new EgressRules(List.of(), true, true).checksAddresses()).as("nothing to check: no lookup").isFalse();
    }

    @Test
    void theLookupHappensJustBeforeTheRequest() throws Exception {
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            assertThat(ResolvedEgress.refusal(DEFAULTS, java.net.URI.create("http://localhost:9090/"), executor).get())
                    .contains("resolves to").contains("loopback");
            assertThat(ResolvedEgress.refusal(DEFAULTS, java.net.URI.create("http://10.0.3.7:9090/"), executor).get())
                    .isNull();
        } finally {
            executor.shutdownNow();
        }
    }
}
