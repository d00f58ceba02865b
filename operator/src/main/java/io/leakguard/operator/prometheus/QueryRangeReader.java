package io.leakguard.operator.prometheus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.leakguard.operator.prometheus.PromSeries;
import io.leakguard.operator.text.StatusText;

/**
 * Streams the body of a Prometheus {@code /api/v1/query_range} response ({@code resultType: matrix})
 * without building a tree, so files of tens of megabytes cost little memory. Series the caller
 * does not want are skipped token by token.
 */
public final class QueryRangeReader {

    private static final JsonFactory JSON = new JsonFactory();

    /** The year 3000: later timestamps are mistakes, and would make time loops run for ever. */
    static final double MAX_SECONDS = 32_503_680_000d;
    /** Most samples read in one call: 16 bytes each, so the default costs at most 64 MiB. */
    public static final long DEFAULT_MAX_POINTS = 4_000_000;
    /** Most series read in one call: each holds its label map. */
    public static final long MAX_SERIES = 50_000;

    private QueryRangeReader() {
    }

    /** A file that is not a matrix response; the message names the file and the problem. */
    public static final class BadInputException extends IOException {
        public BadInputException(String message) {
            super(message);
        }
    }

    /** Reads a response body already in memory (from a live Prometheus); {@code source} names it in errors. */
    public static List<PromSeries> read(byte[] body, Predicate<Map<String, String>> wanted, String source)
            throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            return read(p, wanted, source, new long[2]);
        } catch (JsonParseException e) {
            throw new BadInputException(source + ": not JSON (" + e.getOriginalMessage() + ")");
        }
    }

    public static List<PromSeries> read(Path file, Predicate<Map<String, String>> wanted) throws IOException {
        return read(file, wanted, new long[2]);
    }

    /**
     * As {@link #read(Path, Predicate)}, counting samples into {@code points[0]} and series into
     * {@code points[1]}: several files read for one backtest share one limit.
     */
    public static List<PromSeries> read(Path file, Predicate<Map<String, String>> wanted, long[] points)
            throws IOException {
        try (InputStream in = Files.newInputStream(file); JsonParser p = JSON.createParser(in)) {
            return read(p, wanted, file.toString(), points);
        } catch (JsonParseException e) {
            throw new BadInputException(file + ": not JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ")");
        }
    }

    private static List<PromSeries> read(JsonParser p, Predicate<Map<String, String>> wanted, String file,
            long[] points) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new BadInputException(file + ": expected a JSON object, the body of a query_range response");
        }
        List<PromSeries> series = null;
        String resultType = null;
        String status = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("status")) {
                status = p.getValueAsString();
            } else if (field.equals("data") && p.currentToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String dataField = p.currentName();
                    p.nextToken();
                    if (dataField.equals("resultType")) {
                        resultType = p.getValueAsString();
                        if (!"matrix".equals(resultType)) {
                            throw new BadInputException(file + ": resultType is '" + resultType
                                    + "', but a backtest needs 'matrix' (export with /api/v1/query_range, not /api/v1/query)");
                        }
                    } else if (dataField.equals("result") && p.currentToken() == JsonToken.START_ARRAY) {
                        series = readResult(p, wanted, file, points);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (status != null && !status.equals("success")) {
            throw new BadInputException(file + ": status is '" + StatusText.clean(status, 40)
                    + "', not 'success'");
        }
        if (resultType == null || series == null) {
            throw new BadInputException(file + ": no data.resultType and data.result; is this a query_range response?");
        }
        return series;
    }

    private static List<PromSeries> readResult(JsonParser p, Predicate<Map<String, String>> wanted, String file,
            long[] points) throws IOException {
        long maxPoints = DEFAULT_MAX_POINTS;
        List<PromSeries> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Map<String, String> labels = null;
            PromSeries current = null;
            boolean skip = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("metric")) {
                    labels = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        labels.put(name, p.getValueAsString());
                    }
                    skip = !wanted.test(labels);
                } else if (field.equals("values") && p.currentToken() == JsonToken.START_ARRAY) {
                    if (labels == null) {
                        throw new BadInputException(file + ": a series lists 'values' before 'metric'");
                    }
                    if (skip) {
                        p.skipChildren();
                        continue;
                    }
                    if (++points[1] > MAX_SERIES) {
                        throw new BadInputException(file + ": more than " + MAX_SERIES + " series in all; back-test"
                                + " fewer pods at a time");
                    }
                    current = new PromSeries(labels);
                    String where = " in series " + StatusText.clean(labels.toString(), 200);
                    long previous = Long.MIN_VALUE;
                    while (p.nextToken() == JsonToken.START_ARRAY) {
                        p.nextToken();
                        double seconds = p.currentToken().isNumeric() ? p.getValueAsDouble(Double.NaN) : Double.NaN;
                        p.nextToken();
                        String text = p.getValueAsString();
                        if (p.nextToken() != JsonToken.END_ARRAY || Double.isNaN(seconds)) {
                            throw new BadInputException(file + ": a sample is not [timestamp, \"value\"]" + where);
                        }
                        if (!(seconds >= 0 && seconds <= MAX_SECONDS)) {
                            throw new BadInputException(file + ": timestamp " + seconds + " is not a Unix time in"
                                    + " seconds between 1970 and 3000" + where);
                        }
                        long millis = Math.round(seconds * 1000);
                        if (millis <= previous) {
                            throw new BadInputException(file + ": timestamps go back or repeat (" + seconds + " after "
                                    + previous / 1000.0 + ")" + where + "; Prometheus writes them in order");
                        }
                        previous = millis;
                        double value = parseValue(text);
                        if (Double.isInfinite(value) || (Double.isNaN(value) && !"NaN".equals(text))) {
                            throw new BadInputException(file + ": value '" + StatusText.clean(
                                    String.valueOf(text), 40) + "' at " + seconds + " is not a finite number" + where);
                        }
                        if (++points[0] > maxPoints) {
                            throw new BadInputException(file + ": more than " + maxPoints + " samples in all; export"
                                    + " fewer pods or a coarser step, or raise the limit with more heap");
                        }
                        current.add(millis, value);
                    }
                } else if (field.equals("value")) {
                    throw new BadInputException(file + ": a series has a single 'value', as an instant query returns;"
                            + " a backtest needs range data from /api/v1/query_range");
                } else {
                    p.skipChildren();
                }
            }
            if (current != null) {
                out.add(current);
            }
        }
        return out;
    }

    private static double parseValue(String text) {
        if (text == null) {
            return Double.NaN;
        }
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
        };
    }
}
