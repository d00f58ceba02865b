package io.leakguard.operator.sampling;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.MetricsSource;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.config.LeakGuardConfig;
import io.leakguard.operator.detection.ProvenLeaks;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.diagnostics.LeakProfileProbe;
import io.leakguard.operator.fairness.ByteBudget;
import io.leakguard.operator.fairness.TenantSlots;
import io.leakguard.operator.http.EgressRules;
import io.leakguard.operator.secrets.SecretReader;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.state.SeriesStore;
import io.leakguard.operator.state.StatusRefresh;
import io.leakguard.operator.state.TrackedLives;
import io.leakguard.operator.state.VerdictBoard;
import io.leakguard.operator.state.VerdictTransition;
import io.leakguard.operator.tracking.PodRegistry;
import io.leakguard.operator.tracking.TrackedPod;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * Samples every tracked pod at its policy's interval, judges it, and publishes what changed: the latest
 * judgements on the {@link VerdictBoard}, a {@link VerdictTransition} for each pod whose verdict changed
 * kind, and a {@link StatusRefresh}. Reading is a {@link PodReader}'s job, judging a {@link PodJudge}'s.
 * One round per policy is in flight at a time, so a slow endpoint delays its own policy and nothing else.
 */
@Singleton
public class SamplingLoop {

    private static final Logger LOG = Logger.getLogger(SamplingLoop.class);
    private final PodRegistry registry;
    private final SeriesStore store;
    private final VerdictBoard board;
    private final Clock clock;
    private final MeterRegistry meters;
    private final LeakGuardConfig config;
    private final SecretReader secrets;
    private final EgressRules egress;
    private final Event<TrackedLives> tracked;
    private final PodJudge judge;
    private final VerdictPublisher publisher;
    private final Map<ResourceID, Long> nextRound = new ConcurrentHashMap<>();
    private final Map<ResourceID, Prepared> prepared = new ConcurrentHashMap<>();
    private final Set<ResourceID> inFlight = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService ticker;
    private ExecutorService workers;
    private PodReader scrapes;
    private PodReader prometheus;
    private LeakProfileProbe leakProfiles;
    private final Timer lateness;
    private final Counter overruns;

    public SamplingLoop(PodRegistry registry, SeriesStore store, VerdictBoard board, Clock clock, MeterRegistry meters,
            LeakGuardConfig config, SecretReader secrets, EgressRules egress, Event<VerdictTransition> transitions,
            Event<StatusRefresh> refresh, Event<TrackedLives> tracked) {
        this.registry = registry;
        this.store = store;
        this.board = board;
        this.clock = clock;
        this.meters = meters;
        this.config = config;
        this.secrets = secrets;
        this.egress = egress;
        this.tracked = tracked;
        this.judge = new PodJudge(store);
        this.publisher = new VerdictPublisher(board, registry, clock, transitions, refresh);
        this.lateness = Timer.builder("leakguard.sampling.lateness")
                .description("How late a policy's round started against its planned time (the ticker runs every second; the grids lie just before its ticks)")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.overruns = Counter.builder("leakguard.sampling.overruns")
                .description("Rounds not started when due because the policy's previous round was still in flight")
                .register(meters);
    }

    void start(@Observes StartupEvent start) {
        workers = Executors.newFixedThreadPool(4, daemon("leakguard-sampler"));
        ByteBudget bodies = new ByteBudget(config.scrape().bytesInFlight(), config.scrape().bytesInFlightPerNamespace());
        TenantSlots slots = new TenantSlots(config.scrape().concurrency(), config.scrape().perNamespace());
        scrapes = new ScrapeReader(new ScrapeClient(slots, bodies, config.scrape().maxBytes(), workers), meters);
        prometheus = new PrometheusReader(new PrometheusSource(workers, egress, bodies), store, secrets, meters);
        leakProfiles = new LeakProfileProbe(workers, config.dumps().leakProfileEvery());
        for (VerdictKind kind : VerdictKind.values()) {
            Gauge.builder("leakguard.pods.verdict", board, b -> b.count(kind)).tag("verdict", kind.name())
                    .description("Pods by their latest verdict").register(meters);
        }
        ticker = Executors.newSingleThreadScheduledExecutor(daemon("leakguard-ticker"));
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent stop) {
        if (ticker != null) {
            ticker.shutdownNow();
            workers.shutdownNow();
        }
    }

    /** True when no round is in flight. */
    public boolean idle() {
        return inFlight.isEmpty();
    }

    /** Starts the rounds that are due. Public for tests that drive time themselves. */
    public void tick() {
        try {
            Set<ResourceID> gone = registry.forgetAbsent();
            gone.forEach(policy -> {
                board.forget(policy);
                LOG.infof("policy is gone without its cleanup (finalizer removed by hand?), its pods are no longer"
                        + " watched: namespace=%s policy=%s", policy.getNamespace().orElse(""), policy.getName());
            });
            long now = clock.millis();
            // At a fixed rate the ticks keep their place in the second; the grids are laid just before it.
            tickPhase = Math.floorMod(now, TICK_MILLIS);
            Set<String> seriesKeys = new HashSet<>();
            Set<String> podsByPolicy = new HashSet<>();
            Set<String> lives = new HashSet<>();
            for (ResourceID policy : registry.policies()) {
                List<TrackedPod> pods = registry.podsOf(policy);
                pods.forEach(p -> {
                    seriesKeys.add(Round.seriesKey(policy, p));
                    podsByPolicy.add(policy + "/" + p.name());
                    lives.add(p.lifeKey());
                });
                Policy spec = registry.policy(policy).orElse(null);
                if (spec == null) {
                    board.forget(policy);
                    continue;
                }
                board.retainPods(policy, pods.stream().map(TrackedPod::name).collect(Collectors.toSet()));
                startIfDue(policy, spec, pods, now);
            }
            // Nothing here may outlive the pods and policies it describes: a leak detector must not leak.
            nextRound.keySet().retainAll(registry.policies());
            prepared.keySet().retainAll(registry.policies());
            publisher.retain(registry.policies(), podsByPolicy);
            store.retainOnly(seriesKeys);
            if (leakProfiles != null) {
                leakProfiles.retainOnly(seriesKeys);
            }
            tracked.fire(new TrackedLives(lives, gone));
        } catch (RuntimeException e) {
            LOG.error("sampling tick failed; will try again next second", e);
        }
    }

    private void startIfDue(ResourceID policy, Policy spec, List<TrackedPod> pods, long now) {
        long due = nextRound.getOrDefault(policy, 0L);
        if (now < due) {
            return;
        }
        if (!inFlight.add(policy)) {
            overruns.increment();
            return;
        }
        if (due > 0) {
            lateness.record(now - due, TimeUnit.MILLISECONDS);
        }
        try {
            nextRound.put(policy, nextDue(due, now, spec.sampling().interval().toMillis(), policy.toString().hashCode(),
                    tickPhase));
            Prepared prepared = this.prepared.compute(policy, (id, old) -> old != null && old.policy() == spec ? old
                    : new Prepared(spec, RuntimeProfile.of(spec.runtime(), spec.sampling().names()),
                            DetectorSettings.of(spec.detection(), spec.sampling().interval())));
            round(new Round(policy, spec, pods, prepared.profile(), prepared.settings(), timeout(spec), now));
        } catch (RuntimeException e) {
            // One policy's failure must neither stop the others nor leave this one stuck in flight.
            inFlight.remove(policy);
            roundFailed(policy, spec, pods, e);
        }
    }

    /**
     * When the round after one due at {@code due} and started at {@code now} is due: on the policy's own grid,
     * so that a round started late (the ticker runs once a second, and a busy second runs later) does not
     * push every later round back. Planning from the start instead lost about one sample in twenty at
     * 10,000 pods, whose rounds started 0.75 s late at the median. A round more than an interval behind
     * (a pause, an overrun) starts the grid again from now rather than running the missed rounds back to back.
     * After a policy's first round its grid is shifted by a phase taken from its identity (as Prometheus
     * offsets its targets), so that the policies of an operator that starts with hundreds of them do not
     * all scrape in the same second of every interval.
     */
    static long nextDue(long due, long now, long interval, int identity) {
        return nextDue(due, now, interval, identity, -1);
    }

    /**
     * The same, with the grid laid {@link #TICK_LEAD_MILLIS} before the ticks, which fall {@code tickPhase}
     * milliseconds into each second (-1: not known yet): a round is then started by the tick right after
     * it is due, not up to a second later. An interval of whole seconds keeps the grid there.
     */
    static long nextDue(long due, long now, long interval, int identity, long tickPhase) {
        if (due > 0 && due + interval > now) {
            return due + interval;
        }
        // A first round, or one more than an interval behind: a new grid, laid before the ticks.
        long at = beforeTick(due <= 0 ? now + 1 + Math.floorMod(identity, interval) : now + interval, tickPhase);
        return at <= now ? at + TICK_MILLIS : at;
    }

    /** The instant {@link #TICK_LEAD_MILLIS} before the first tick at or after {@code at}; {@code at} itself without a phase. */
    static long beforeTick(long at, long tickPhase) {
        if (tickPhase < 0) {
            return at;
        }
        return at + Math.floorMod(tickPhase - at, TICK_MILLIS) - TICK_LEAD_MILLIS;
    }

    static final long TICK_MILLIS = 1000;
    /** How far before a tick the grids lie, so that a tick a few milliseconds early still starts the round. */
    static final long TICK_LEAD_MILLIS = 20;
    private volatile long tickPhase = -1;

    /** What a round needs from its policy, made once per parsed policy rather than on every round. */
    private record Prepared(Policy policy, RuntimeProfile profile, DetectorSettings settings) {
    }

    private Duration timeout(Policy spec) {
        Duration asked = spec.sampling().timeout();
        return asked.compareTo(config.scrape().maxTimeout()) > 0 ? config.scrape().maxTimeout() : asked;
    }

    private void round(Round round) {
        PodReader reader = round.policy().sampling().source() == MetricsSource.Prometheus ? prometheus : scrapes;
        reader.read(round).handle((results, error) -> {
            List<PodJudgement> judgements = new ArrayList<>();
            for (TrackedPod pod : round.pods()) {
                ScrapeResult result = results != null ? results.get(pod.name())
                        : ScrapeResult.failed("internal", "reading failed: " + error, 0);
                try {
                    judgements.add(judge.judge(round, pod, result, clock.millis(), provenLeaks(round, pod),
                            2 * leakProfiles.every().toMillis()));
                } catch (RuntimeException e) {
                    LOG.warnf(e, "judging pod failed: namespace=%s pod=%s", pod.namespace(), pod.name());
                    judgements.add(new PodJudgement(pod.name(), Verdict.insufficient(0, "internal error: " + e),
                            String.valueOf(e), clock.millis()));
                }
            }
            return judgements;
        }).whenComplete((judgements, error) -> {
            try {
                if (judgements != null) {
                    publisher.publish(round.id(), round.policy(), round.pods(), judgements);
                }
            } finally {
                inFlight.remove(round.id());
            }
        });
    }

    /**
     * For a policy that acts on proven leaks: what the pod's leak profile proved when last read (null if
     * never), and a new read when that one is due.
     */
    private ProvenLeaks provenLeaks(Round round, TrackedPod pod) {
        if (round.policy().detection().provenLeakGoroutines() <= 0 || round.policy().runtime() != Runtime.Go) {
            return null;
        }
        String key = round.seriesKey(pod);
        leakProfiles.readIfDue(key, round.policy(), pod, clock.millis());
        return leakProfiles.latest(key, pod.lifeKey());
    }

    /** Every pod of the policy gets the failure as its verdict, so the policy's status says what is wrong. */
    private void roundFailed(ResourceID policy, Policy spec, List<TrackedPod> pods, RuntimeException error) {
        LOG.warnf(error, "sampling round failed: namespace=%s policy=%s", policy.getNamespace().orElse(""),
                policy.getName());
        String reason = "sampling failed: " + error.getClass().getSimpleName() + ": " + error.getMessage();
        long now = clock.millis();
        publisher.publish(policy, spec, pods, pods.stream()
                .map(p -> new PodJudgement(p.name(), Verdict.insufficient(0, reason), reason, now)).toList());
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
