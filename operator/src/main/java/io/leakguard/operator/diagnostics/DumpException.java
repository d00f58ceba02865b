package io.leakguard.operator.diagnostics;

/** A dump could not be taken; the message says why, in words fit for a status field. */
public class DumpException extends RuntimeException {
    public DumpException(String message) {
        super(message);
    }
}
