package io.leakguard.api.v1alpha1;

/** Where samples come from: the pod's own endpoint, or an existing Prometheus. */
public enum MetricsSource {
    Scrape, Prometheus
}
