package io.leakguard.operator.diagnostics;

import java.util.List;

/**
 * A parsed dump. Parsing never throws: what could not be read is in {@code warnings}, and a dump
 * that was cut off says so in {@code truncated}.
 */
public record ThreadDump(Format format, List<StackEntry> entries, List<String> warnings, boolean truncated) {

    /** Which runtime wrote it. */
    public enum Format {
        GoDebug2("Go goroutine dump (debug=2)"), GoDebug1("Go goroutine profile (debug=1)"),
        HotSpot("HotSpot thread dump (jcmd Thread.print / jstack)"), Unknown("unrecognised");

        private final String description;

        Format(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        public boolean isGo() {
            return this == GoDebug2 || this == GoDebug1;
        }
    }

    public int total() {
        return (int) Math.min(Integer.MAX_VALUE, entries.stream().mapToLong(StackEntry::count).sum());
    }
}
