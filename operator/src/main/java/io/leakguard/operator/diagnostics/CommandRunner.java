package io.leakguard.operator.diagnostics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a command next to the process to dump: in the pod's container (exec), or locally in tests. */
public interface CommandRunner {

    /** Output is read up to {@code maxBytes}; more is cut off and marked. */
    CompletableFuture<Result> run(List<String> command, Duration timeout, int maxBytes);

    /** What a command printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr, boolean truncated) {
    }
}
