package io.leakguard.operator.tracking;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/** Publishes how many policies and pods the operator tracks, at /q/metrics. */
@Singleton
public class TrackingMetrics {

    void register(@Observes StartupEvent start, MeterRegistry meters, PodRegistry registry) {
        Gauge.builder("leakguard.pods.tracked", registry, PodRegistry::trackedPodCount)
                .description("Distinct pods selected by at least one valid LeakPolicy")
                .register(meters);
        Gauge.builder("leakguard.policies.tracked", registry, r -> r.policies().size())
                .description("LeakPolicies the operator has reconciled and not seen deleted")
                .register(meters);
    }
}
