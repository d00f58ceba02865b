package io.leakguard.operator.diagnostics;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.DumpSource;
import io.leakguard.operator.config.LeakGuardConfig;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.http.EgressRules;
import io.leakguard.operator.http.HttpFailure;
import io.leakguard.operator.notify.KubernetesEvents;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.state.StatusRefresh;
import io.leakguard.operator.state.TrackedLives;
import io.leakguard.operator.state.VerdictTransition;
import io.leakguard.operator.tracking.TrackedPod;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

/**
 * The evidence for a leak: when a pod turns Suspect, a baseline dump (only its group counts are
 * kept); when it turns Leaking, the trigger dump, diffed against the baseline, ranked, stored in a
 * ConfigMap the policy owns, and referenced from status. One trigger dump per pod life.
 */
@Singleton
public class PodDiagnostics {

    private static final Logger LOG = Logger.getLogger(PodDiagnostics.class);
    static final int STATUS_RECORDS = 10;

    private final DumpStore store;
    private final KubernetesEvents events;
    private final Clock clock;
    private final MeterRegistry meters;
    private final PodDumps dumps;
    private final ProfilePusher pusher;
    private final Event<StatusRefresh> refresh;
    /** Baselines are bounded by bytes: 1 MiB each, 8 MiB per namespace, 64 MiB in all. */
    private final Baselines baselines = new Baselines(1 << 20, 8 << 20, 64 << 20);
    /** The proven leaks of each baseline's Go leak profile, so that a trigger reports only the new ones. */
    private final Baselines leakBaselines = new Baselines(256 << 10, 2 << 20, 16 << 20);
    private final Set<String> dumpedLives = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<DumpRecord>> triggers = new ConcurrentHashMap<>();
    private final Map<ResourceID, Deque<DumpRecord>> records = new ConcurrentHashMap<>();

    public PodDiagnostics(KubernetesClient client, DumpStore store, KubernetesEvents events, Clock clock,
            MeterRegistry meters, LeakGuardConfig config, Event<StatusRefresh> refresh, EgressRules egress) {
        this.refresh = refresh;
        this.dumps = new PodDumps(client, config);
        this.pusher = new ProfilePusher(egress, dumps.executor());
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.meters = meters;
    }

    @PreDestroy
    void stop() {
        dumps.stop();
    }

    void on(@Observes TrackedLives tracked) {
        retainLives(tracked.lifeKeys());
        tracked.forgottenPolicies().forEach(this::forget);
    }

    /** Forgets dumps and baselines of pod lives no policy tracks any more. */
    public void retainLives(Set<String> lifeKeys) {
        dumpedLives.retainAll(lifeKeys);
        triggers.keySet().retainAll(lifeKeys);
        baselines.retainLives(lifeKeys);
        leakBaselines.retainLives(lifeKeys);
    }

    /** The latest dump records of a policy, newest first, for status. */
    public List<DumpRecord> records(ResourceID policy) {
        Deque<DumpRecord> deque = records.get(policy);
        return deque == null ? List.of() : List.copyOf(deque);
    }

    public void forget(ResourceID policy) {
        records.remove(policy);
    }

    /**
     * A pod turned Suspect: a baseline dump to diff against later; turned Leaking: the trigger dump, and its
     * record in status once stored.
     */
    void on(@Observes VerdictTransition transition) {
        VerdictKind kind = transition.verdict().kind();
        if (kind == VerdictKind.Suspect && transition.before() != VerdictKind.Leaking) {
            baseline(transition.spec(), transition.pod());
        } else if (kind == VerdictKind.Leaking) {
            trigger(transition.policy(), transition.policyUid(), transition.spec(), transition.pod())
                    .thenAccept(record -> refresh.fire(new StatusRefresh(transition.policy())));
        }
    }

    /** A pod turned Suspect: keep a baseline to diff against later. Failures only cost the baseline. */
    public CompletableFuture<Void> baseline(Policy spec, TrackedPod pod) {
        if (!enabled(spec) || baselines.contains(pod.lifeKey())) {
            return CompletableFuture.completedFuture(null);
        }
        return dumps.collect(spec, pod).thenAccept(dump -> {
            Map<StackGroups.Signature, Integer> counts = StackGroups.count(DumpParser.parse(dump.text(), dump.truncated()));
            int dropped = baselines.put(pod.namespace(), pod.lifeKey(), counts);
            if (dump.leakProfile() != null) {
                leakBaselines.put(pod.namespace(), pod.lifeKey(),
                        StackGroups.count(DumpAnalysis.provenLeaks(DumpParser.parse(dump.leakProfile(), false))));
            }
            LOG.infof("baseline dump taken: namespace=%s pod=%s groups=%d dropped=%d", pod.namespace(), pod.name(),
                    counts.size(), dropped);
        }).exceptionally(error -> {
            LOG.infof("no baseline dump: namespace=%s pod=%s reason=%s", pod.namespace(), pod.name(), HttpFailure.message(error));
            return null;
        });
    }

    /**
     * A pod turned Leaking: take the trigger dump, rank what grew, store it. Completes with the record
     * (with {@code error} set when no dump could be taken); never exceptionally.
     */
    public CompletableFuture<DumpRecord> trigger(ResourceID policy, String policyUid, Policy spec, TrackedPod pod) {
        if (!enabled(spec)) {
            return CompletableFuture.completedFuture(null);
        }
        if (!dumpedLives.add(pod.lifeKey())) {
            return triggers.getOrDefault(pod.lifeKey(), CompletableFuture.completedFuture(null));
        }
        CompletableFuture<DumpRecord> result = takeTrigger(policy, policyUid, spec, pod);
        triggers.put(pod.lifeKey(), result);
        return result;
    }

    /**
     * Whether the trigger dump of this pod life is settled (taken, failed, or not wanted), so that a
     * restart may go ahead: the dump comes first, but a dump that fails never holds back the restart.
     */
    public boolean dumpSettled(Policy spec, TrackedPod pod) {
        if (!enabled(spec)) {
            return true;
        }
        CompletableFuture<DumpRecord> pending = triggers.get(pod.lifeKey());
        return pending != null && pending.isDone();
    }

    /**
     * Pushes the pod's goroutine and leak profiles to the policy's Pyroscope, after its dump and without
     * holding up the restart; the outcome is an Event on the pod.
     */
    private void pushProfiles(Policy spec, TrackedPod pod, String application, Instant takenAt) {
        long until = takenAt.getEpochSecond();
        dumps.profiles(spec, pod)
                .thenCompose(profiles -> profiles.isEmpty()
                        ? CompletableFuture.completedFuture("no pprof profile could be read from the pod")
                        : pusher.push(spec.dumps().pyroscopeUrl(), application,
                                Map.of("namespace", pod.namespace(), "pod", pod.name()), profiles, until - 1, until + 1))
                .exceptionally(error -> "profiles not read: " + HttpFailure.message(error))
                .thenAccept(outcome -> {
                    boolean pushed = outcome.contains("pushed") && !outcome.contains("not pushed");
                    LOG.infof("pyroscope: namespace=%s pod=%s %s", pod.namespace(), pod.name(), outcome);
                    events.record(pod.reference(), pushed ? "Normal" : "Warning",
                            pushed ? "ProfilesPushed" : "ProfilesNotPushed", "Pyroscope: " + outcome);
                });
    }

    /** The dump record of this pod life, once settled; null if none. */
    public DumpRecord dumpOf(TrackedPod pod) {
        CompletableFuture<DumpRecord> pending = triggers.get(pod.lifeKey());
        return pending == null || !pending.isDone() ? null : pending.getNow(null);
    }

    private CompletableFuture<DumpRecord> takeTrigger(ResourceID policy, String policyUid, Policy spec,
            TrackedPod pod) {
        Instant takenAt = clock.instant();
        Set<String> ignored = spec.dumps().ignoredTopFunctions();
        return dumps.collect(spec, pod).thenApply(dump -> {
            DumpAnalysis analysis = DumpAnalysis.of(dump, baselines.get(pod.lifeKey()), leakBaselines.get(pod.lifeKey()),
                    ignored);
            DumpStore.Stored stored = store.store(pod.namespace(), policy.getName(), policyUid, pod.name(), takenAt,
                    dump.text(), dump.truncated(), analysis.report(), analysis.json(), dump.source());
            int pruned = store.prune(pod.namespace(), policy.getName(), policyUid, spec.dumps().retain());
            meters.counter("leakguard.dumps", "result", "stored").increment();
            meters.summary("leakguard.dump.bytes").record(dump.text().length());
            DumpRecord record = new DumpRecord();
            record.pod = pod.name();
            record.time = takenAt.toString();
            record.configMap = stored.configMap();
            record.topGroup = analysis.headline();
            record.provenLeaks = analysis.proven();
            record.truncated = stored.truncated();
            LOG.infof("dump stored: namespace=%s policy=%s pod=%s configMap=%s pruned=%d", pod.namespace(),
                    policy.getName(), pod.name(), stored.configMap(), pruned);
            events.record(pod.reference(), "Normal", "DumpCollected", "Thread dump stored in ConfigMap "
                    + stored.configMap() + (record.topGroup == null ? "" : ": " + record.topGroup)
                    + (record.provenLeaks == null ? "" : "; " + record.provenLeaks));
            if (spec.dumps().pyroscopeUrl() != null && spec.dumps().source() == DumpSource.GoPprof) {
                String application = spec.dumps().pyroscopeApplication() != null ? spec.dumps().pyroscopeApplication()
                        : pod.namespace() + "." + policy.getName();
                record.profiles = ProfilePusher.whereToFind(spec.dumps().pyroscopeUrl(), application, pod.name());
                pushProfiles(spec, pod, application, takenAt);
            }
            return record;
        }).exceptionally(error -> {
            meters.counter("leakguard.dumps", "result", "failed").increment();
            DumpRecord record = new DumpRecord();
            record.pod = pod.name();
            record.time = takenAt.toString();
            record.error = HttpFailure.message(error);
            LOG.warnf("dump failed: namespace=%s pod=%s reason=%s", pod.namespace(), pod.name(), record.error);
            events.record(pod.reference(), "Warning", "DumpFailed", "No thread dump: " + record.error);
            return record;
        }).thenApply(record -> {
            if (record != null) {
                Deque<DumpRecord> deque = records.computeIfAbsent(policy, k -> new ArrayDeque<>());
                synchronized (deque) {
                    deque.addFirst(record);
                    while (deque.size() > STATUS_RECORDS) {
                        deque.removeLast();
                    }
                }
            }
            return record;
        });
    }

    private static boolean enabled(Policy spec) {
        return spec.dumps().enabled();
    }
}
