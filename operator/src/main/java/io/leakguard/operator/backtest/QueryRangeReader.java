package io.leakguard.operator.backtest;

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

/**
 * Streams the body of a Prometheus {@code /api/v1/query_range} response ({@code resultType: matrix})
 * without building a tree, so files of tens of megabytes cost little memory. Series the caller
 * does not want are skipped token by token.
 */
public final class QueryRangeReader {

    private static final JsonFactory JSON = new JsonFactory();

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
            return read(p, wanted, source);
        } catch (JsonParseException e) {
            throw new BadInputException(source + ": not JSON (" + e.getOriginalMessage() + ")");
        }
    }

    public static List<PromSeries> read(Path file, Predicate<Map<String, String>> wanted) throws IOException {
        try (InputStream in = Files.newInputStream(file); JsonParser p = JSON.createParser(in)) {
            return read(p, wanted, file.toString());
        } catch (JsonParseException e) {
            throw new BadInputException(file + ": not JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ")");
        }
    }

    private static List<PromSeries> read(JsonParser p, Predicate<Map<String, String>> wanted, String file)
            throws IOException {
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
                        series = readResult(p, wanted, file);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (status != null && !status.equals("success")) {
            throw new BadInputException(file + ": status is '" + io.leakguard.operator.text.StatusText.clean(status, 40)
                    + "', not 'success'");
        }
        if (resultType == null || series == null) {
            throw new BadInputException(file + ": no data.resultType and data.result; is this a query_range response?");
        }
        return series;
    }

    private static List<PromSeries> readResult(JsonParser p, Predicate<Map<String, String>> wanted, String file)
            throws IOException {
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
                    current = new PromSeries(labels);
                    while (p.nextToken() == JsonToken.START_ARRAY) {
                        p.nextToken();
                        double seconds = p.getValueAsDouble(Double.NaN);
                        p.nextToken();
                        double value = parseValue(p.getValueAsString());
                        if (p.nextToken() != JsonToken.END_ARRAY || Double.isNaN(seconds)) {
                            throw new BadInputException(file + ": a sample is not [timestamp, \"value\"] in series "
                                    + labels);
                        }
                        current.add(Math.round(seconds * 1000), value);
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
