package io.leakguard.operator.prometheus;

import java.util.Arrays;
import java.util.Map;

/** One series of a Prometheus range query: its labels, and samples in time order in primitive arrays. */
public final class PromSeries {

    private final Map<String, String> labels;
    private long[] timesMillis = new long[64];
    private double[] values = new double[64];
    private int size;

    public PromSeries(Map<String, String> labels) {
        this.labels = labels;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public String name() {
        return labels.getOrDefault("__name__", "");
    }

    public int size() {
        return size;
    }

    public long timeMillis(int i) {
        return timesMillis[i];
    }

    public double value(int i) {
        return values[i];
    }

    void add(long timeMillis, double value) {
        if (size == timesMillis.length) {
            timesMillis = Arrays.copyOf(timesMillis, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        timesMillis[size] = timeMillis;
        values[size] = value;
        size++;
    }

    /** The latest value at or before {@code timeMillis} and no older than {@code lookbackMillis}; NaN if none. */
    public double valueAt(long timeMillis, long lookbackMillis) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (timesMillis[mid] <= timeMillis) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || timeMillis - timesMillis[found] > lookbackMillis) {
            return Double.NaN;
        }
        return values[found];
    }
}
