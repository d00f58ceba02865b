package io.leakguard.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

/** The evidence kept when a pod is restarted. */
public class DiagnosticsSpec {

    @Default("{}")
    @JsonPropertyDescription("The thread or goroutine dump taken just before a restart.")
    public ThreadDumpSpec threadDump = new ThreadDumpSpec();

    @Default("10")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("How many dumps this policy keeps (as ConfigMaps it owns), 1 to 100. Older ones are"
            + " deleted.")
    public Integer retain = 10;

    @Size(max = 50)
    @JsonPropertyDescription("Functions whose stacks are known to be benign (worker pools, tickers). A group"
            + " whose top frame is one of these is never reported as the leak, like goleak's IgnoreTopFunction.")
    public List<String> ignoreTopFunctions = new ArrayList<>();

    @JsonPropertyDescription("Optional, Go pods with a GoPprof dump: when a dump is taken, push the pod's goroutine"
            + " profile and, where served, its goroutine leak profile (pprof format) to this Pyroscope server,"
            + " labelled with the namespace and pod; the alert and the dump's record say where to find them.")
    public PyroscopeSpec pyroscope;
}
