package io.leakguard.operator.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates labelled pod histories of a Go service, from a fixed seed. Each is simulated at one
 * second and sampled at the scrape interval, so GC cycles both shorter and longer than the interval
 * appear as they would to a scraper. Memory is heap (a GC sawtooth over a baseline) plus goroutine
 * stacks plus a fixed overhead; the pod is OOM-killed the first second it crosses its limit.
 */
public final class TraceGenerator {

    static final double MIB = 1024.0 * 1024.0;
    private static final double STACK_BYTES = 8 * 1024.0;

    private final SplittableRandom random;

    public TraceGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The evaluation corpus: {@code perScenario} traces of each healthy and leaking scenario. */
    public List<Trace> corpus(int perScenario, long intervalSeconds, long durationSeconds) {
        List<Trace> traces = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            for (int i = 0; i < perScenario; i++) {
                traces.add(generate(scenario, scenario.name() + "-" + i, intervalSeconds, durationSeconds));
            }
        }
        return traces;
    }

    /** The kinds of pod history in the corpus. */
    public enum Scenario {
        SawtoothFastGc(false), SawtoothSlowGc(false), Bursty(false), Diurnal(false), WarmupPlateau(false),
        OneOffStep(false), GoMemLimitNearLimit(false),
        GoroutineLeakWithHeap(true), GoroutineOnlyLeak(true), HeapOnlyLeak(true), SlowLeak(true), FastLeak(true),
        TrafficModulatedLeak(true), LeakStartsMidTrace(true);

        final boolean leaking;

        Scenario(boolean leaking) {
            this.leaking = leaking;
        }
    }

    public Trace generate(Scenario scenario, String name, long intervalSeconds, long durationSeconds) {
        return new Pod(scenario, durationSeconds).live(name, intervalSeconds);
    }

    /** One generated pod: its parameters drawn in a fixed order, then its gauges second by second. */
    private final class Pod {
        private final Scenario scenario;
        private final long durationSeconds;
        private final double limit;
        private final double baseHeap;
        private final double gcPeriod;
        private final double garbage;
        private final double overhead = 20 * MIB;
        private final double baseThreads;
        private final double phase;
        private final double leakStart;
        private double heapLeakPerSecond;
        private double goroutinesPerSecond;
        private double bytesPerGoroutine;
        private double stepAt;
        private double stepSize;
        private double warmupTau;
        private double warmupSize;
        private double leakedGoroutines;
        private double leakedHeap;
        private double burst;

        Pod(Scenario scenario, long durationSeconds) {
            this.scenario = scenario;
            this.durationSeconds = durationSeconds;
            limit = (256 + 256 * random.nextInt(4)) * MIB;
            baseHeap = limit * (0.25 + 0.15 * random.nextDouble());
            gcPeriod = switch (scenario) {
                case SawtoothFastGc -> 3 + random.nextInt(8);
                case SawtoothSlowGc -> 60 + random.nextInt(240);
                default -> 5 + random.nextInt(120);
            };
            garbage = limit * (0.05 + 0.1 * random.nextDouble());
            baseThreads = 50 + random.nextInt(400);
            phase = random.nextDouble() * gcPeriod;
            leakStart = scenario == Scenario.LeakStartsMidTrace ? durationSeconds * (0.3 + 0.3 * random.nextDouble()) : 0;
            drawLeak();
            stepAt = durationSeconds * (0.3 + 0.4 * random.nextDouble());
            stepSize = limit * (0.08 + 0.08 * random.nextDouble());
            warmupTau = 300 + random.nextInt(900);
            warmupSize = limit * (0.1 + 0.1 * random.nextDouble());
        }

        /** Leak rates, chosen so that leaks reach the limit within the trace (slow ones late in it). */
        private void drawLeak() {
            double headroom = limit - baseHeap - garbage - overhead - baseThreads * STACK_BYTES;
            double timeToOom = switch (scenario) {
                case SlowLeak -> durationSeconds * (0.75 + 0.2 * random.nextDouble());
                case FastLeak -> 1800 + random.nextInt(1800);
                case LeakStartsMidTrace -> (durationSeconds - leakStart) * (0.6 + 0.3 * random.nextDouble());
                default -> durationSeconds * (0.4 + 0.4 * random.nextDouble());
            };
            switch (scenario) {
                case GoroutineLeakWithHeap, SlowLeak, FastLeak, TrafficModulatedLeak, LeakStartsMidTrace -> {
                    bytesPerGoroutine = 16 * 1024 + random.nextInt(64 * 1024);
                    goroutinesPerSecond = headroom / timeToOom / (bytesPerGoroutine + STACK_BYTES);
                }
                case HeapOnlyLeak -> heapLeakPerSecond = headroom / timeToOom;
                case GoroutineOnlyLeak -> goroutinesPerSecond = (900 + random.nextInt(3000)) / 3600.0;
                default -> {
                }
            }
        }

        Trace live(String name, long intervalSeconds) {
            int n = (int) (durationSeconds / intervalSeconds);
            double[] threads = new double[n];
            double[] heap = new double[n];
            double[] memory = new double[n];
            double oomAt = Double.NaN;
            int samples = 0;
            for (long t = 0; t < durationSeconds; t++) {
                double[] now = second(t);
                if (now[2] >= limit && Double.isNaN(oomAt)) {
                    oomAt = t;
                    break;
                }
                if (t % intervalSeconds == 0 && samples < n) {
                    threads[samples] = Math.max(0, Math.round(now[0]));
                    heap[samples] = now[1];
                    memory[samples] = now[2];
                    samples++;
                }
            }
            return new Trace(name, scenario.name(), "Go", scenario.leaking, scenario == Scenario.GoroutineOnlyLeak,
                    intervalSeconds, Arrays.copyOf(threads, samples), Arrays.copyOf(heap, samples),
                    Arrays.copyOf(memory, samples), null, limit, Double.NaN,
                    scenario == Scenario.GoMemLimitNearLimit ? limit * 0.9 : Double.NaN, oomAt,
                    Double.isNaN(oomAt) ? null : Trace.OOM_KILLED, leakStart);
        }

        /** One second: the live threads, the heap and the memory at its end. */
        private double[] second(long t) {
            double traffic = switch (scenario) {
                case Diurnal -> 0.5 + 0.5 * Math.sin(2 * Math.PI * t / 86_400.0 + phase);
                case TrafficModulatedLeak, Bursty -> 0.5 + 0.5 * Math.sin(2 * Math.PI * t / 3600.0 + phase);
                default -> 1.0;
            };
            if (t >= leakStart) {
                double modulation = scenario == Scenario.TrafficModulatedLeak ? 2 * traffic : 1.0;
                leakedGoroutines += goroutinesPerSecond * modulation;
                leakedHeap += heapLeakPerSecond;
            }
            if (scenario == Scenario.Bursty && random.nextDouble() < 0.01) {
                burst = limit * 0.1 * random.nextDouble();
            }
            burst *= 0.97;
            double baseline = baseHeap + leakedHeap + leakedGoroutines * bytesPerGoroutine;
            switch (scenario) {
                case Diurnal -> baseline += limit * 0.15 * traffic;
                case WarmupPlateau -> baseline += warmupSize * (1 - Math.exp(-t / warmupTau));
                case OneOffStep -> baseline += t >= stepAt ? stepSize : 0;
                default -> {
                }
            }
            double fill = ((t + phase) % gcPeriod) / gcPeriod;
            double garbageNow = garbage * fill * (scenario == Scenario.Bursty ? 0.5 + traffic : 1.0);
            if (scenario == Scenario.GoMemLimitNearLimit) {
                // GOMEMLIMIT at 90%: the runtime collects harder as the heap nears it, so it never crosses.
                baseline = limit * 0.55;
                garbageNow = Math.min(garbage * 3 * fill, limit * 0.9 - baseline - overhead - 400 * STACK_BYTES);
            }
            double liveThreads = baseThreads + leakedGoroutines + (scenario == Scenario.Bursty ? burst / MIB : 0)
                    + random.nextGaussian() * 3;
            double heapNow = baseline + garbageNow + burst + random.nextGaussian() * 0.002 * limit;
            double memoryNow = heapNow + Math.max(0, liveThreads) * STACK_BYTES + overhead;
            return new double[] {liveThreads, heapNow, memoryNow};
        }
    }
}
