package io.leakguard.api.v1alpha1;

/** How a thread or goroutine dump is taken. */
public enum DumpSource {
    GoPprof, JvmJcmd, Http
}
