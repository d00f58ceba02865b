package io.leakguard.api.v1alpha1;

/** The runtime of the watched containers: picks the metric names and the dump source. */
public enum Runtime {
    Go, JVM, Custom
}
