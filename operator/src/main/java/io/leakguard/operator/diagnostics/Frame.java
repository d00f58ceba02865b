package io.leakguard.operator.diagnostics;

/** One stack frame without its arguments: what a stack signature is made of. */
public record Frame(String function, String location) {

    @Override
    public String toString() {
        return location == null || location.isEmpty() ? function : function + "  " + location;
    }
}
