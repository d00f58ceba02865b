package io.leakguard.operator.detection;

import java.util.Arrays;

/**
 * Robust trend statistics over short series of (time, value) points: the Mann-Kendall test with
 * the tie correction, and the Theil-Sen slope with Sen's distribution-free confidence interval.
 * Pure functions over primitive arrays; nothing is boxed.
 */
public final class TrendStatistics {

    private TrendStatistics() {
    }

    /** Mann-Kendall: S, its variance (ties corrected), the continuity-corrected Z, and the one-sided p of an upward trend. */
    public record MannKendall(long s, double variance, double z, double pUpward) {
    }

    /** Theil-Sen slope (per time unit of the input) with its lower and upper bound at the given confidence. */
    public record TheilSen(double slope, double lower, double upper) {
    }

    public static MannKendall mannKendall(double[] values, int n) {
        long s = 0;
        for (int i = 0; i < n - 1; i++) {
            double vi = values[i];
            for (int j = i + 1; j < n; j++) {
                double d = values[j] - vi;
                s += d > 0 ? 1 : d < 0 ? -1 : 0;
            }
        }
        double variance = (n * (n - 1.0) * (2.0 * n + 5.0) - tieTerm(values, n)) / 18.0;
        double z;
        if (variance <= 0) {
            z = 0;
        } else if (s > 0) {
            z = (s - 1) / Math.sqrt(variance);
        } else if (s < 0) {
            z = (s + 1) / Math.sqrt(variance);
        } else {
            z = 0;
        }
        return new MannKendall(s, variance, z, 1.0 - normalCdf(z));
    }

    /** Sum over groups of tied values of t(t-1)(2t+5). */
    private static double tieTerm(double[] values, int n) {
        double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        double term = 0;
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            long t = j - i;
            if (t > 1) {
                term += t * (t - 1.0) * (2.0 * t + 5.0);
            }
            i = j;
        }
        return term;
    }

    /**
     * Theil-Sen slope: the median of all pairwise slopes. The confidence interval is Sen's (1968):
     * with C = z(1-a/2) * sqrt(Var S), the bounds are the (N-C)/2-th and (N+C)/2+1-th ordered slopes.
     *
     * @param scratch an array of at least n(n-1)/2 doubles, reused between calls to avoid allocation
     */
    public static TheilSen theilSen(double[] times, double[] values, int n, double confidence, double varianceOfS,
            double[] scratch) {
        int m = 0;
        for (int i = 0; i < n - 1; i++) {
            for (int j = i + 1; j < n; j++) {
                double dt = times[j] - times[i];
                if (dt != 0) {
                    scratch[m++] = (values[j] - values[i]) / dt;
                }
            }
        }
        if (m == 0) {
            return new TheilSen(0, 0, 0);
        }
        Arrays.sort(scratch, 0, m);
        double slope = m % 2 == 1 ? scratch[m / 2] : (scratch[m / 2 - 1] + scratch[m / 2]) / 2.0;
        double c = normalQuantile(1.0 - (1.0 - confidence) / 2.0) * Math.sqrt(Math.max(varianceOfS, 0));
        int lowerRank = (int) Math.floor((m - c) / 2.0);
        int upperRank = (int) Math.ceil((m + c) / 2.0);
        double lower = lowerRank < 1 ? Double.NEGATIVE_INFINITY : scratch[lowerRank - 1];
        double upper = upperRank >= m ? Double.POSITIVE_INFINITY : scratch[upperRank];
        return new TheilSen(slope, lower, upper);
    }

    /** Standard normal CDF, Abramowitz and Stegun 26.2.17 through erf (error below 1.5e-7). */
    public static double normalCdf(double z) {
        return 0.5 * (1.0 + erf(z / Math.sqrt(2.0)));
    }

    private static double erf(double x) {
        double sign = Math.signum(x);
        double ax = Math.abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * ax);
        double y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                + 0.254829592) * t * Math.exp(-ax * ax);
        return sign * y;
    }

    /** Inverse standard normal CDF (Acklam's algorithm, relative error below 1.2e-9). */
    public static double normalQuantile(double p) {
        if (p <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p >= 1) {
            return Double.POSITIVE_INFINITY;
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    /** The least-squares slope of {@code values} over {@code times}, indices {@code from} to {@code to - 1}; NaN under two points. */
    public static double leastSquaresSlope(double[] times, double[] values, int from, int to) {
        int m = to - from;
        if (m < 2) {
            return Double.NaN;
        }
        double meanT = 0;
        double meanV = 0;
        for (int i = from; i < to; i++) {
            meanT += times[i];
            meanV += values[i];
        }
        meanT /= m;
        meanV /= m;
        double stt = 0;
        double stv = 0;
        for (int i = from; i < to; i++) {
            stt += (times[i] - meanT) * (times[i] - meanT);
            stv += (times[i] - meanT) * (values[i] - meanV);
        }
        return stt > 0 ? stv / stt : Double.NaN;
    }
}
