package io.leakguard.operator.diagnostics;

import java.util.List;

/**
 * Raw dump text as taken from a pod. {@code leakProfile} is the Go runtime's own goroutine-leak
 * profile, when the pod serves one (its leaks are definite, not inferred); null otherwise.
 */
public record CollectedDump(String text, boolean truncated, String source, String leakProfile, List<String> notes) {
}
