package io.leakguard.operator.evaluation;

/**
 * The alert rules a team writes instead of LeakGuard, as methods to score beside it: a
 * {@code predict_linear} over memory, and a threshold on it.
 */
public final class ReferenceRules {

    private ReferenceRules() {
    }

    /** {@code predict_linear(process_resident_memory_bytes[1h], 3600) > limit}, held for 5 minutes. */
    public static Evaluation.Method predictLinear() {
        return new Evaluation.Method() {
            @Override
            public String name() {
                return "predict_linear(rss[1h], 3600) > limit for 5m";
            }

            @Override
            public double firstFlagSeconds(Trace trace) {
                double pendingSince = Double.NaN;
                int window = (int) (3600 / trace.intervalSeconds());
                for (int i = 0; i < trace.length(); i++) {
                    int from = Math.max(0, i - window + 1);
                    boolean firing = i - from >= 1 && predict(trace, from, i, 3600) > trace.memoryLimitBytes();
                    if (!firing) {
                        pendingSince = Double.NaN;
                        continue;
                    }
                    if (Double.isNaN(pendingSince)) {
                        pendingSince = trace.timeSeconds(i);
                    }
                    if (trace.timeSeconds(i) - pendingSince >= 300) {
                        return trace.timeSeconds(i);
                    }
                }
                return Double.NaN;
            }
        };
    }

    /** Least squares over [from, to], evaluated {@code ahead} seconds after the last sample, as Prometheus does. */
    static double predict(Trace trace, int from, int to, double ahead) {
        double n = to - from + 1;
        double sumT = 0;
        double sumV = 0;
        double sumTT = 0;
        double sumTV = 0;
        double t0 = trace.timeSeconds(to);
        for (int i = from; i <= to; i++) {
            double t = trace.timeSeconds(i) - t0;
            double v = trace.memory()[i];
            sumT += t;
            sumV += v;
            sumTT += t * t;
            sumTV += t * v;
        }
        double slope = (n * sumTV - sumT * sumV) / (n * sumTT - sumT * sumT);
        double intercept = (sumV - slope * sumT) / n;
        return intercept + slope * ahead;
    }

    /** Memory at or above 95% of the limit, checked every 3 minutes. */
    public static Evaluation.Method threshold95() {
        return new Evaluation.Method() {
            @Override
            public String name() {
                return "rss >= 95% of limit, every 3m";
            }

            @Override
            public double firstFlagSeconds(Trace trace) {
                for (int i = 0; i < trace.length(); i++) {
                    if (trace.timeSeconds(i) % 180 == 0 && trace.memory()[i] >= 0.95 * trace.memoryLimitBytes()) {
                        return trace.timeSeconds(i);
                    }
                }
                return Double.NaN;
            }
        };
    }
}
