package io.leakguard.operator.config;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.leakguard.operator.http.EgressRules;

/** The operator's egress rules, from {@link LeakGuardConfig.Egress}. */
public class EgressRulesProducer {

    @Produces
    @Singleton
    EgressRules egressRules(LeakGuardConfig config) {
        LeakGuardConfig.Egress egress = config.egress();
        return new EgressRules(egress.allowedHosts().orElse(List.of()), egress.allowLoopback(), egress.allowLinkLocal());
    }
}
