package io.leakguard.operator.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Pure: where a URL written by a tenant (a Prometheus, an Alertmanager, a Slack webhook) may send the
 * operator. The operator runs inside the cluster with its own network position, so a tenant could aim
 * it at the node's link-local metadata service, at the operator's own loopback, or at a host the
 * cluster admin never meant it to reach. The admin sets the rules (chart values {@code egress.*}).
 *
 * @param allowedHosts hosts a URL may name, each exact or {@code *.suffix}; empty: any host not refused below
 * @param loopback whether loopback addresses ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}) are allowed
 * @param linkLocal whether link-local addresses ({@code 169.254.0.0/16}, {@code fe80::/10}) are allowed
 */
public record EgressRules(List<String> allowedHosts, boolean loopback, boolean linkLocal) {

    /** No restriction: the offline commands, which run on a user's own machine. */
    public static final EgressRules ANY = new EgressRules(List.of(), true, true);

    public EgressRules {
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
    }

    /** Why the operator may not send a request to {@code url}, or null when it may. */
    public String refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            return "is not a URL";
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            return "is not an http or https URL with a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "carries a user name or password: put credentials in a Secret, not in the URL";
        }
        if (uri.getRawFragment() != null) {
            return "has a fragment (#...), which would hide the path the operator adds";
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!loopback && (host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
                || host.equals("::1") || host.equals("0.0.0.0") || host.equals("::"))) {
            return "points at the operator's own loopback, which the operator's settings do not allow"
                    + " (chart value egress.allowLoopback)";
        }
        if (!linkLocal && (host.startsWith("169.254.") || host.startsWith("fe80:") || host.equals("metadata.google.internal"))) {
            return "points at a link-local address (such as a cloud metadata service), which the operator's settings do"
                    + " not allow (chart value egress.allowLinkLocal)";
        }
        if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(allowed -> matches(allowed, uri.getHost()))) {
            return "names host " + uri.getHost() + ", which is not in the operator's allowed hosts (chart value"
                    + " egress.allowedHosts: " + String.join(", ", allowedHosts) + ")";
        }
        return null;
    }

    /** Whether a name must be resolved and its addresses checked before a request (some address is refused). */
    public boolean checksAddresses() {
        return !loopback || !linkLocal;
    }

    /**
     * Why the operator may not send a request to {@code host} now that it resolved to {@code addresses}, or
     * null: a name of the tenant's own (or their DNS) may point at the operator's loopback or at a metadata
     * service as surely as a literal address.
     */
    public String addressRefusal(String host, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            if (!loopback && (address.isLoopbackAddress() || address.isAnyLocalAddress())) {
                return "host " + host + " resolves to " + address.getHostAddress() + ", the operator's own loopback,"
                        + " which the operator's settings do not allow (chart value egress.allowLoopback)";
            }
            if (!linkLocal && address.isLinkLocalAddress()) {
                return "host " + host + " resolves to " + address.getHostAddress() + ", a link-local address (such as a"
                        + " cloud metadata service), which the operator's settings do not allow (chart value"
                        + " egress.allowLinkLocal)";
            }
        }
        return null;
    }

    private static boolean matches(String allowed, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return allowed.startsWith("*.") ? h.endsWith(allowed.substring(1)) : h.equals(allowed);
    }
}
