package io.leakguard.operator.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Resolves the host of a tenant's URL just before the request and applies {@link EgressRules#addressRefusal}
 * to what it resolves to. The lookup runs on {@code executor}, never on the caller's thread: a tenant's slow
 * DNS must not hold the sampler. A name that does not resolve is left to the HTTP client to report.
 */
public final class ResolvedEgress {

    private ResolvedEgress() {
    }

    /** A request the egress rules refused once its host was resolved; never worth retrying. */
    public static final class Refused extends IOException {
        public Refused(String refusal) {
            super("refused by the operator's egress rules: " + refusal);
        }
    }

    /** Completes when the request may be sent; fails with {@link Refused} (in a CompletionException) when not. */
    public static CompletableFuture<Void> check(EgressRules rules, URI uri, Executor executor) {
        return refusal(rules, uri, executor).thenAccept(refused -> {
            if (refused != null) {
                throw new CompletionException(new Refused(refused));
            }
        });
    }

    /** Completes with why the request may not be sent, or null when it may. */
    public static CompletableFuture<String> refusal(EgressRules rules, URI uri, Executor executor) {
        if (!rules.checksAddresses() || uri.getHost() == null) {
            return CompletableFuture.completedFuture(null);
        }
        String host = uri.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return CompletableFuture.supplyAsync(() -> {
            try {
                return rules.addressRefusal(host, List.of(InetAddress.getAllByName(bare)));
            } catch (UnknownHostException e) {
                return null;
            }
        }, executor);
    }
}
