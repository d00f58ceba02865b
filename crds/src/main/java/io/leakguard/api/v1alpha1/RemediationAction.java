package io.leakguard.api.v1alpha1;

/** What LeakGuard does to a Leaking pod: evict it through the Eviction API, or only report. */
public enum RemediationAction {
    Evict, None
}
