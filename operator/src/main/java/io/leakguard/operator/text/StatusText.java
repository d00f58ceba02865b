package io.leakguard.operator.text;

/**
 * Pure: text that reaches a policy's status from places a tenant controls (a scrape error, a metric
 * name, a server's answer), made safe to store and show: control characters become spaces, and the
 * text is cut to a length with a mark that says so, so that one policy cannot bloat its status, the
 * API server's storage or the terminal of whoever runs {@code kubectl describe}.
 */
public final class StatusText {

    /** The longest reason of one pod or one remediation. */
    public static final int REASON = 1024;
    /** The longest condition message. */
    public static final int MESSAGE = 4096;

    private StatusText() {
    }

    public static String clean(String text, int max) {
        if (text == null) {
            return null;
        }
        int end = Math.min(text.length(), max);
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        if (text.length() > max) {
            out.append("... (").append(text.length() - max).append(" more characters)");
        }
        return out.toString();
    }
}
