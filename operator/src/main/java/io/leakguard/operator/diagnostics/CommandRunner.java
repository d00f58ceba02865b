package io.leakguard.operator.diagnostics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a command next to the process to dump: in the pod's container (exec), or locally in tests. */
public interface CommandRunner {

    /** Output is read up to {@code maxBytes}; more is cut off and marked. */
    CompletableFuture<Result> run(List<String> command, Duration timeout, int maxBytes);

    /**
     * The process's recent standard output as the container runtime logged it (where {@code kill -3}
     * makes a JVM print its dump); empty where there is no such log.
     */
    default CompletableFuture<String> recentLog(int maxBytes) {
        return CompletableFuture.completedFuture("");
    }

    /** What a command printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr, boolean truncated) {
    }
}
