package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What happened to one pod, read from the operator's log (its default console format), as times
 * after the leak started: first Suspect, Leaking, dump stored, eviction.
 */
public final class Timeline {

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    private final Map<String, Instant> milestones = new LinkedHashMap<>();
    private final Instant start;

    private Timeline(Instant start) {
        this.start = start;
    }

    /** The milestones of {@code pod} in the given operator logs (a restarted operator writes a second one). */
    public static Timeline of(String pod, Instant leakStart, List<Path> operatorLogs) throws IOException {
        Timeline timeline = new Timeline(leakStart);
        for (Path log : operatorLogs) {
            if (!Files.exists(log)) {
                continue;
            }
            for (String line : Files.readAllLines(log)) {
                if (!pod.equals(field(line, "pod"))) {
                    continue;
                }
                if (line.contains("verdict changed") && "Suspect".equals(field(line, "to"))) {
                    timeline.mark("first Suspect", line);
                } else if (line.contains("verdict changed") && "Leaking".equals(field(line, "to"))) {
                    timeline.mark("Leaking", line);
                } else if (line.contains("dump stored")) {
                    timeline.mark("dump stored", line);
                } else if (line.contains("pod evicted")) {
                    timeline.mark("evicted", line);
                }
            }
        }
        return timeline;
    }

    /** The value of {@code name=value} in an operator log line (values hold no spaces), or null. */
    public static String field(String line, String name) {
        int at = line.indexOf(" " + name + "=");
        if (at < 0) {
            return null;
        }
        int start = at + name.length() + 2;
        int end = line.indexOf(' ', start);
        return line.substring(start, end < 0 ? line.length() : end);
    }

    private void mark(String milestone, String line) {
        if (line.length() < 23) {
            return;
        }
        Instant at = LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant();
        milestones.putIfAbsent(milestone, at);
    }

    /** Adds a milestone the harness observed itself, such as the process's end. */
    public Timeline with(String milestone, Instant at) {
        milestones.putIfAbsent(milestone, at);
        return this;
    }

    public Optional<Duration> at(String milestone) {
        return Optional.ofNullable(milestones.get(milestone)).map(t -> Duration.between(start, t));
    }

    /** One line: each milestone in seconds after the leak started. */
    public String render(String title) {
        StringBuilder out = new StringBuilder(title).append(" (s after the leak started):");
        milestones.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> out.append("  ").append(e.getKey())
                .append(" ").append(Duration.between(start, e.getValue()).toMillis() / 1000.0));
        return out.toString();
    }
}
