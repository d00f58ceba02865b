package io.leakguard.operator.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a notification as a Slack Block Kit message within Slack's limits: a header of at most 150
 * characters, section texts of at most 3000, at most 10 fields of at most 2000, and at most 50 blocks.
 */
public final class SlackMessage {

    static final int HEADER_MAX = 150;
    static final int TEXT_MAX = 3000;
    static final int FIELD_MAX = 2000;
    static final int BLOCKS_MAX = 50;

    private SlackMessage() {
    }

    public static Map<String, Object> render(Notification n) {
        List<Object> blocks = new ArrayList<>();
        blocks.add(Map.of("type", "header", "text", Map.of("type", "plain_text", "text", cut(n.title(), HEADER_MAX))));
        List<Object> fields = new ArrayList<>();
        field(fields, "Policy", n.namespace() + "/" + n.policy());
        field(fields, "Pod", n.pod());
        field(fields, "Workload", n.workload() == null ? "none (bare pod)" : n.workload());
        field(fields, "Verdict", n.verdict());
        if (n.heapBytesPerHour() != null) {
            field(fields, "Heap baseline", String.format(Locale.ROOT, "%+.1f MiB/h", n.heapBytesPerHour() / 1048576.0));
        }
        if (n.threadsPerHour() != null) {
            field(fields, "Threads / goroutines", String.format(Locale.ROOT, "%+.0f/h", n.threadsPerHour()));
        }
        if (n.projectedOomIn() != null) {
            field(fields, "Projected OOM in", n.projectedOomIn());
        }
        blocks.add(Map.of("type", "section", "fields", fields.subList(0, Math.min(10, fields.size()))));
        blocks.add(section("*Action:* " + n.action()));
        if (n.reason() != null) {
            blocks.add(section("*Why:* " + n.reason()));
        }
        if (!n.topGroups().isEmpty()) {
            blocks.add(section("*What is leaking:*\n```" + String.join("\n", n.topGroups()) + "```"));
        }
        if (n.fetchDumpCommand() != null) {
            blocks.add(section("*Full dump:* `" + n.fetchDumpCommand() + "`"));
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("text", cut(n.title(), TEXT_MAX));
        message.put("blocks", blocks.subList(0, Math.min(BLOCKS_MAX, blocks.size())));
        return message;
    }

    private static void field(List<Object> fields, String name, String value) {
        fields.add(Map.of("type", "mrkdwn", "text", cut("*" + name + "*\n" + value, FIELD_MAX)));
    }

    private static Map<String, Object> section(String text) {
        String cut = cut(text, TEXT_MAX);
        if (text.contains("```") && cut.length() < text.length()) {
            cut = cut(text, TEXT_MAX - 3) + "```";
        }
        return Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", cut));
    }

    static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
