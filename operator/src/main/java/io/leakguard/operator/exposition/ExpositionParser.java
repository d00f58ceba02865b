package io.leakguard.operator.exposition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Parses the Prometheus text format 0.0.4 and OpenMetrics 1.0 text: HELP/TYPE/UNIT comments,
 * label escapes, NaN and infinities, millisecond or second timestamps, exemplars, {@code # EOF},
 * and quoted metric names. Only samples whose name the caller wants are materialised, because
 * a pod exposes hundreds of series and LeakGuard reads three.
 *
 * <p>Written here because no maintained Java library parses the exposition formats: the
 * Prometheus Java client only writes them. It never throws on input: a malformed line is
 * counted, described and skipped.
 */
public final class ExpositionParser {

    private ExpositionParser() {
    }

    public static ParseResult parse(CharSequence text, Predicate<String> wantedName) {
        return parse(text, wantedName instanceof WantedNames names ? names : null, wantedName);
    }

    /** As {@link #parse(CharSequence, Predicate)}, matching plain names in place (the scrape path). */
    public static ParseResult parse(CharSequence text, WantedNames wantedName) {
        return parse(text, wantedName, wantedName);
    }

    private static ParseResult parse(CharSequence text, WantedNames inPlace, Predicate<String> wantedName) {
        List<Sample> samples = new ArrayList<>();
        int malformed = 0;
        String firstProblem = null;
        int length = text.length();
        int lineNumber = 0;
        int start = 0;
        while (start < length) {
            int end = start;
            while (end < length && text.charAt(end) != '\n') {
                end++;
            }
            lineNumber++;
            int lineEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
            if (isEof(text, start, lineEnd)) {
                break;
            }
            String problem = parseLine(text, start, lineEnd, inPlace, wantedName, samples);
            if (problem != null) {
                malformed++;
                if (firstProblem == null) {
                    firstProblem = "line " + lineNumber + ": " + problem;
                }
            }
            start = end + 1;
        }
        return new ParseResult(samples, malformed, firstProblem);
    }

    private static boolean isEof(CharSequence text, int start, int end) {
        return end - start == 5 && text.charAt(start) == '#' && text.subSequence(start, end).toString().equals("# EOF");
    }

    /** Returns null when the line is fine (or a comment, or not wanted), else what is wrong with it. */
    private static String parseLine(CharSequence text, int start, int end, WantedNames inPlace, Predicate<String> wanted,
            List<Sample> out) {
        int pos = skipSpaces(text, start, end);
        if (pos == end || text.charAt(pos) == '#') {
            return null;
        }
        String name;
        Map<String, String> labels = Map.of();
        if (text.charAt(pos) == '{') {
            // OpenMetrics 2 / Prometheus 3 style: {"metric.name", label="value"}
            Cursor cursor = new Cursor(text, pos + 1, end);
            LabelsAndName parsed = parseLabels(cursor, true);
            if (parsed.problem != null) {
                return parsed.problem;
            }
            if (parsed.name == null) {
                return "no metric name";
            }
            name = parsed.name;
            if (!wanted.test(name)) {
                return null;
            }
            labels = parsed.labels;
            pos = cursor.pos;
        } else {
            int nameEnd = pos;
            while (nameEnd < end && isNameChar(text.charAt(nameEnd), nameEnd == pos)) {
                nameEnd++;
            }
            if (nameEnd == pos) {
                return "expected a metric name";
            }
            if (inPlace != null) {
                name = inPlace.match(text, pos, nameEnd);
                if (name == null) {
                    return null;
                }
            } else {
                name = text.subSequence(pos, nameEnd).toString();
                if (!wanted.test(name)) {
                    return null;
                }
            }
            pos = skipSpaces(text, nameEnd, end);
            if (pos < end && text.charAt(pos) == '{') {
                Cursor cursor = new Cursor(text, pos + 1, end);
                LabelsAndName parsed = parseLabels(cursor, false);
                if (parsed.problem != null) {
                    return parsed.problem;
                }
                labels = parsed.labels;
                pos = cursor.pos;
            }
        }
        int beforeValue = pos;
        pos = skipSpaces(text, pos, end);
        if (pos >= end || (pos == beforeValue && text.charAt(pos - 1) != ' ' && text.charAt(pos - 1) != '\t'
                && text.charAt(pos - 1) != '}')) {
            return "expected a space and a value after " + name;
        }
        int valueEnd = pos;
        while (valueEnd < end && text.charAt(valueEnd) != ' ' && text.charAt(valueEnd) != '\t') {
            valueEnd++;
        }
        Double value = parseValue(text.subSequence(pos, valueEnd).toString());
        if (value == null) {
            return "'" + abbreviate(text.subSequence(pos, valueEnd)) + "' is not a number";
        }
        pos = skipSpaces(text, valueEnd, end);
        if (pos < end && text.charAt(pos) != '#') {
            int tsEnd = pos;
            while (tsEnd < end && text.charAt(tsEnd) != ' ' && text.charAt(tsEnd) != '\t') {
                tsEnd++;
            }
            if (parseValue(text.subSequence(pos, tsEnd).toString()) == null) {
                return "'" + abbreviate(text.subSequence(pos, tsEnd)) + "' is not a timestamp";
            }
            pos = skipSpaces(text, tsEnd, end);
        }
        // Anything left must be an OpenMetrics exemplar ("# {...} value [ts]"), which is not needed.
        if (pos < end && text.charAt(pos) != '#') {
            return "unexpected text after the value of " + name;
        }
        out.add(new Sample(name, labels, value));
        return null;
    }

    private static final class Cursor {
        final CharSequence text;
        int pos;
        final int end;

        Cursor(CharSequence text, int pos, int end) {
            this.text = text;
            this.pos = pos;
            this.end = end;
        }
    }

    private record LabelsAndName(Map<String, String> labels, String name, String problem) {
        static LabelsAndName problem(String problem) {
            return new LabelsAndName(null, null, problem);
        }
    }

    private static LabelsAndName parseLabels(Cursor c, boolean nameMayBeQuoted) {
        Map<String, String> labels = new LinkedHashMap<>();
        String name = null;
        boolean first = true;
        while (true) {
            c.pos = skipSpaces(c.text, c.pos, c.end);
            if (c.pos >= c.end) {
                return LabelsAndName.problem("unterminated label set");
            }
            if (c.text.charAt(c.pos) == '}') {
                c.pos++;
                return new LabelsAndName(labels, name, null);
            }
            String key;
            if (c.text.charAt(c.pos) == '"') {
                String quoted = readQuoted(c);
                if (quoted == null) {
                    return LabelsAndName.problem("unterminated quoted string");
                }
                c.pos = skipSpaces(c.text, c.pos, c.end);
                if (nameMayBeQuoted && first && c.pos < c.end && (c.text.charAt(c.pos) == ',' || c.text.charAt(c.pos) == '}')) {
                    name = quoted;
                    if (c.text.charAt(c.pos) == ',') {
                        c.pos++;
                    }
                    first = false;
                    continue;
                }
                key = quoted;
            } else {
                int keyStart = c.pos;
                while (c.pos < c.end && isLabelChar(c.text.charAt(c.pos), c.pos == keyStart)) {
                    c.pos++;
                }
                if (c.pos == keyStart) {
                    return LabelsAndName.problem("expected a label name at column " + (keyStart + 1));
                }
                key = c.text.subSequence(keyStart, c.pos).toString();
                c.pos = skipSpaces(c.text, c.pos, c.end);
            }
            first = false;
            if (c.pos >= c.end || c.text.charAt(c.pos) != '=') {
                return LabelsAndName.problem("expected '=' after label " + key);
            }
            c.pos = skipSpaces(c.text, c.pos + 1, c.end);
            if (c.pos >= c.end || c.text.charAt(c.pos) != '"') {
                return LabelsAndName.problem("expected a quoted value for label " + key);
            }
            String value = readQuoted(c);
            if (value == null) {
                return LabelsAndName.problem("unterminated value for label " + key);
            }
            labels.put(key, value);
            c.pos = skipSpaces(c.text, c.pos, c.end);
            if (c.pos < c.end && c.text.charAt(c.pos) == ',') {
                c.pos++;
            } else if (c.pos < c.end && c.text.charAt(c.pos) != '}') {
                return LabelsAndName.problem("expected ',' or '}' after label " + key);
            }
        }
    }

    /** Reads a double-quoted string at the cursor with \\, \" and \n escapes; null if unterminated. */
    private static String readQuoted(Cursor c) {
        StringBuilder out = new StringBuilder();
        int pos = c.pos + 1;
        while (pos < c.end) {
            char ch = c.text.charAt(pos);
            if (ch == '"') {
                c.pos = pos + 1;
                return out.toString();
            }
            if (ch == '\\' && pos + 1 < c.end) {
                char next = c.text.charAt(pos + 1);
                out.append(next == 'n' ? '\n' : next);
                pos += 2;
            } else {
                out.append(ch);
                pos++;
            }
        }
        return null;
    }

    static Double parseValue(String token) {
        if (token.isEmpty() || token.length() > 64) {
            return null;
        }
        switch (token.toLowerCase(Locale.ROOT)) {
            case "nan":
                return Double.NaN;
            case "+inf":
            case "inf":
                return Double.POSITIVE_INFINITY;
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        char first = token.charAt(0);
        if (!(Character.isDigit(first) || first == '-' || first == '+' || first == '.')) {
            return null;
        }
        for (int i = 0; i < token.length(); i++) {
            char ch = token.charAt(i);
            // Java also accepts "1d", "1f" and hex floats; the exposition formats do not.
            if (ch == 'd' || ch == 'D' || ch == 'f' || ch == 'F' || ch == 'x' || ch == 'X' || ch == 'p' || ch == 'P') {
                return null;
            }
        }
        try {
            return Double.parseDouble(token);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isNameChar(char ch, boolean first) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == ':'
                || (!first && ch >= '0' && ch <= '9');
    }

    private static boolean isLabelChar(char ch, boolean first) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || (!first && ch >= '0' && ch <= '9');
    }

    private static int skipSpaces(CharSequence text, int pos, int end) {
        while (pos < end && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
        return pos;
    }

    private static String abbreviate(CharSequence text) {
        return text.length() <= 40 ? text.toString() : text.subSequence(0, 40) + "...";
    }
}
