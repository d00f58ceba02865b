package io.leakguard.operator.http;

import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** What went wrong with an asynchronous HTTP call, seen through the wrappers futures add. */
public final class HttpFailure {

    private HttpFailure() {
    }

    /** The first cause that is not a CompletionException or ExecutionException wrapper. */
    public static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The request timed out, or the future's own deadline passed. */
    public static boolean isTimeout(Throwable cause) {
        return cause instanceof HttpTimeoutException || cause instanceof TimeoutException;
    }

    public static boolean isRefused(Throwable cause) {
        return cause instanceof ConnectException;
    }

    /** The cause's message, or its class name when it has none: fit for a status field. */
    public static String message(Throwable error) {
        Throwable cause = cause(error);
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
