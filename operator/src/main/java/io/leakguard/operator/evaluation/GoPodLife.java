package io.leakguard.operator.evaluation;

import static io.leakguard.operator.evaluation.GoRuntimeModel.MIB;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.leakguard.operator.evaluation.GoRuntimeModel.Kind;

/** The life of a {@link GoPod}, second by second, until the kernel kills it or the duration ends. */
final class GoPodLife {

    private final GoPod p;
    private double burstUntil = -1;
    private double burstSize;
    private double heapAlloc;
    private double liveAtGc;
    private long lastGc;
    private double rssHeap;
    private double leakedGoroutines;
    private double leakedHeap;
    private double leakedNative;
    private double walk;
    private double inflight;
    private int outageLeft;
    /** The bytes allocated so far: the traffic's allocation, noisy second to second, and the leak's. */
    private double allocated;
    private SplittableRandom side;
    private double allocNoise;
    private double lastLive;
    /** How much in-flight goroutines grow faster than traffic (latency rising with load; rough model only). */
    private double queueing;

    GoPodLife(GoPod pod) {
        this.p = pod;
    }

    /** Lives until the kernel kills it or the duration ends, scraped every {@code interval} seconds. */
    Trace live(String name, long interval) {
        int n = (int) (p.duration / interval);
        double[] threads = new double[n];
        double[] heap = new double[n];
        double[] memory = new double[n];
        double[] allocatedAt = new double[n];
        side = p.model.sideRandom(name);
        allocNoise = 0.1 + 0.9 * side.nextDouble();
        queueing = p.model.rough ? 0.5 * side.nextDouble() : 0;
        heapAlloc = p.baseLive;
        liveAtGc = p.baseLive;
        lastGc = 0;
        rssHeap = p.baseLive * p.frag;
        double diedAt = Double.NaN;
        for (long t = 0; t < p.duration; t++) {
            double[] now = second(t);
            double goroutines = now[0];
            double heapInuse = now[1];
            double rss = now[2];
            if (rss >= p.limit) {
                diedAt = t;
                n = (int) (t / interval);
                break;
            }
            if (t % interval == 0) {
                int i = (int) (t / interval);
                if (outageLeft == 0 && p.outageProbability > 0 && p.model.random.nextDouble() < p.outageProbability) {
                    outageLeft = 1 + (int) (p.model.uniform(60, 300) / interval);
                }
                boolean missed = p.model.random.nextDouble() < p.missProbability || outageLeft > 0;
                outageLeft = Math.max(0, outageLeft - 1);
                double jitter = p.inflightJitter > 0 ? p.model.random.nextGaussian() * Math.sqrt(inflight) * p.inflightJitter : 0;
                threads[i] = missed ? Double.NaN
                        : Math.max(1, Math.round(goroutines + jitter + p.model.random.nextGaussian() * Math.sqrt(goroutines) * 0.3));
                heap[i] = missed ? Double.NaN : heapInuse;
                allocatedAt[i] = missed ? Double.NaN : allocated;
                memory[i] = missed ? Double.NaN : rss + (p.rssNoise > 0 ? p.model.random.nextGaussian() * p.rssNoise * p.limit : 0);
            }
        }
        return new Trace(name, p.kind.name(), "Go", p.kind.leaking, p.kind == Kind.GoroutineOnlyLeak, interval,
                Arrays.copyOf(threads, n), Arrays.copyOf(heap, n), Arrays.copyOf(memory, n), null, p.limit,
                Double.NaN, p.memLimit < Double.POSITIVE_INFINITY ? p.memLimit : Double.NaN, diedAt, Double.isNaN(diedAt) ? null : Trace.OOM_KILLED,
                p.kind.leaking ? p.leakStart : Double.NaN, null, Arrays.copyOf(allocatedAt, n));
    }

    /** One second of the pod's life: its goroutines, heap in use and resident memory at its end. */
    private double[] second(long t) {
        double traffic = 1 + p.trafficAmplitude * Math.sin(2 * Math.PI * t / p.trafficPeriod + p.trafficPhase);
        if (p.walkSigma > 0) {
            walk += -walk / p.walkTau + p.walkSigma * Math.sqrt(2 / p.walkTau) * p.model.random.nextGaussian();
            traffic *= Math.exp(walk);
        }
        if (p.kind == Kind.BurstyTraffic && t > burstUntil && p.model.random.nextDouble() < 1 / 900.0) {
            burstUntil = t + p.model.uniform(20, 180);
            burstSize = p.model.uniform(2, 8);
        }
        double burst = t < burstUntil ? burstSize : 1;
        if (t >= p.leakStart) {
            double rate = p.kind == Kind.TrafficFollowingLeak ? traffic * traffic : 1;
            if (p.kind == Kind.StepLeak) {
                rate = (t - (long) p.leakStart) % (long) p.stepEvery == 0 ? p.stepEvery : 0;
            }
            leakedGoroutines += p.goroutinesPerSecond * rate;
            leakedHeap += p.heapPerSecond * rate;
            leakedNative += p.nativePerSecond * rate;
        }
        double live = p.baseLive + extra(t, traffic) + leakedHeap + leakedGoroutines * p.heapPerGoroutine;
        inflight = p.goroutinesPerTraffic * traffic * burst * Math.max(0.2, 1 + queueing * (traffic - 1));
        double goroutines = p.baseGoroutines + inflight + leakedGoroutines;
        double stacks = (goroutines - leakedGoroutines) * p.stackBytes + leakedGoroutines * p.leakedStack;
        double nonHeapNow = p.overhead + p.nativeBase + leakedNative + stacks;

        heapAlloc = Math.max(heapAlloc, live) + p.allocPerSecond * traffic * burst;
        double noise = Math.exp(allocNoise * side.nextGaussian() - allocNoise * allocNoise / 2);
        allocated += p.allocPerSecond * traffic * burst * noise + Math.max(0, live - lastLive);
        lastLive = live;
        double goal = Math.max(liveAtGc * p.growth, live + 4 * MIB);
        if (p.memLimit < Double.POSITIVE_INFINITY) {
            // Under GOMEMLIMIT the goal shrinks to fit, down to the live heap: the GC then runs
            // back to back, but cannot free what is live.
            goal = Math.min(goal, Math.max((p.memLimit - nonHeapNow) / p.frag, live * 1.02));
        }
        if (heapAlloc >= goal || t - lastGc >= 120) {
            heapAlloc = live;
            liveAtGc = live;
            lastGc = t;
        }
        double heapInuse = heapAlloc * p.frag;
        rssHeap = heapInuse >= rssHeap ? heapInuse
                : rssHeap - (rssHeap - heapInuse) * (1 - Math.exp(-1 / p.scavengeTau));
        double rss = rssHeap + nonHeapNow + p.model.random.nextGaussian() * 0.001 * p.limit;
        return new double[] {goroutines, heapInuse, rss};
    }

    /** The live heap a healthy shape adds at second {@code t}. */
    private double extra(long t, double traffic) {
        return switch (p.kind) {
            case CacheFill, DeployWarmup -> p.linearFill ? p.extraLiveBytes * Math.min(1, t / (2 * p.fillTau))
                    : p.extraLiveBytes * (1 - Math.exp(-t / p.fillTau));
            case BoundedGrowth -> p.extraLiveBytes * (1 - Math.exp(-t / p.boundedTau));
            case OneOffStep -> t >= p.stepAt ? p.extraLiveBytes : 0;
            case Batch -> t % (long) p.batchEvery < p.batchLength ? p.extraLiveBytes : 0;
            case DiurnalTraffic -> p.extraLiveBytes * (traffic - (1 - p.trafficAmplitude)) / (2 * p.trafficAmplitude);
            default -> 0;
        };
    }
}
