package io.leakguard.operator.diagnostics;

import java.util.List;

/**
 * One goroutine or thread (or, from a Go {@code debug=1} profile, {@code count} identical ones).
 *
 * @param state e.g. "chan send", "select", "IO wait" (Go); "WAITING (parking)", "BLOCKED" (JVM); "" if unknown
 * @param waitMinutes how long it has been blocked, when the runtime says (Go); -1 otherwise
 * @param createdBy the function that started it (Go), or the thread's name pattern (JVM), or ""
 * @param blockedOn the monitor or lock class it waits for (JVM), or ""
 */
public record StackEntry(String id, String state, int waitMinutes, String createdBy, String createdAt,
        String blockedOn, List<Frame> frames, int count) {

    /** How the Go runtime's goroutine-leak profile tags, at debug=2, a goroutine it proved leaked. */
    static final String LEAKED = " (leaked)";

    /** Proven leaked by the Go runtime's garbage collector: blocked where nothing can ever wake it. */
    public boolean leaked() {
        return state.endsWith(LEAKED);
    }
}
