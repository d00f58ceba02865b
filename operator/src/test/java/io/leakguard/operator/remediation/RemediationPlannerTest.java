package io.leakguard.operator.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.leakguard.api.v1alpha1.RemediationAction;
import io.leakguard.operator.remediation.RemediationPlanner.Decision;
import io.leakguard.operator.remediation.RemediationPlanner.Kind;
import io.leakguard.operator.remediation.RemediationPlanner.PastEviction;
import io.leakguard.operator.remediation.RemediationPlanner.PodState;
import io.leakguard.operator.remediation.RemediationPlanner.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemediationPlannerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T00:00:00Z");
    private static final Settings DEFAULTS = new Settings(RemediationAction.Evict, false, 1, Duration.ofMinutes(15), 3);

    private static PodState pod(String name, String workload, boolean ready) {
        return new PodState(name, "uid-" + name, workload, ready, false, T0.minus(Duration.ofDays(1)));
    }

    private static List<Decision> plan(Settings settings, List<PodState> leaking, List<PodState> pods,
            List<PastEviction> history) {
        return RemediationPlanner.plan(settings, leaking, pods, history, T0);
    }

    @Test
    void anIntentLeftByAKilledOperatorIsCarriedOutOnceWhileRecentAndSafe() {
        PodState leaking = pod("a", "ReplicaSet/web", true);
        PodState sibling = pod("b", "ReplicaSet/web", true);
        PastEviction intent = new PastEviction("a", "uid-a", "ReplicaSet/web", T0.minusSeconds(30));

        assertThat(RemediationPlanner.resume(intent, List.of(leaking, sibling), T0))
                .as("the pod still runs: the eviction never happened").isEqualTo(RemediationPlanner.Resume.Evict);
        PodState going = new PodState("a", "uid-a", "ReplicaSet/web", true, true, leaking.created());
        assertThat(RemediationPlanner.resume(intent, List.of(going, sibling), T0))
                .as("the pod is terminating: it was evicted, never again").isEqualTo(RemediationPlanner.Resume.Complete);
        assertThat(RemediationPlanner.resume(intent, List.of(sibling), T0))
                .as("the pod is gone").isEqualTo(RemediationPlanner.Resume.Complete);
        assertThat(RemediationPlanner.resume(intent, List.of(leaking, pod("b", "ReplicaSet/web", false)), T0))
                .as("its sibling is not Ready: the last Ready replica waits").isEqualTo(RemediationPlanner.Resume.Wait);
        assertThat(RemediationPlanner.resume(intent, List.of(leaking, sibling), T0.plus(Duration.ofMinutes(6))))
                .as("too old to act on").isEqualTo(RemediationPlanner.Resume.Abandon);
    }

    @Test
    void aPodAlreadyEvictedGetsNoDecisionSoNothingIsSaidAboutIt() {
        List<PodState> pods = List.of(pod("a", "ReplicaSet/web", true), pod("b", "ReplicaSet/web", true));
        List<PastEviction> history = List.of(new PastEviction("a", "uid-a", "ReplicaSet/web", T0.minusSeconds(5)));

        assertThat(plan(DEFAULTS, pods.subList(0, 1), pods, history))
                .as("not evicted again, and no 'held back' alert about a pod that was just restarted").isEmpty();
    }

    @Test
    void aLeakingReplicaWithHealthySiblingsIsEvicted() {
        List<PodState> pods = List.of(pod("a", "ReplicaSet/web", true), pod("b", "ReplicaSet/web", true));
        assertThat(plan(DEFAULTS, pods.subList(0, 1), pods, List.of())).singleElement()
                .satisfies(d -> assertThat(d.kind()).isEqualTo(Kind.Evict));
    }

    @Test
    void dryRunAndActionNoneNeverEvict() {
        List<PodState> pods = List.of(pod("a", "ReplicaSet/web", true), pod("b", "ReplicaSet/web", true));
        assertThat(plan(new Settings(RemediationAction.Evict, true, 1, Duration.ofMinutes(15), 3), pods.subList(0, 1), pods,
                List.of())).singleElement().satisfies(d -> {
                    assertThat(d.kind()).isEqualTo(Kind.DryRun);
                    assertThat(d.reason()).startsWith("would restart");
                });
        assertThat(plan(new Settings(RemediationAction.None, false, 1, Duration.ofMinutes(15), 3), pods.subList(0, 1),
                pods, List.of())).singleElement().satisfies(d -> assertThat(d.kind()).isEqualTo(Kind.AlertOnly));
    }

    @Test
    void aBarePodIsAlertOnlyAndSaysWhy() {
        PodState bare = pod("solo", null, true);
        assertThat(plan(DEFAULTS, List.of(bare), List.of(bare), List.of())).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Kind.AlertOnly);
            assertThat(d.reason()).contains("bare pod");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Job/batch", "Node/worker-1"})
    void podsOfOtherControllersAreAlertOnly(String owner) {
        PodState p = pod("x", owner, true);
        assertThat(plan(DEFAULTS, List.of(p), List.of(p, pod("y", owner, true)), List.of())).singleElement()
                .satisfies(d -> assertThat(d.kind()).isEqualTo(Kind.AlertOnly));
    }

    @Test
    void theLastReadyReplicaIsNeverEvicted() {
        List<PodState> pods = List.of(pod("a", "StatefulSet/db", true), pod("b", "StatefulSet/db", false));
        assertThat(plan(DEFAULTS, pods.subList(0, 1), pods, List.of())).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Kind.Wait);
            assertThat(d.reason()).contains("last Ready replica of StatefulSet/db");
        });
    }

    @Test
    void cooldownAndHourlyBudgetAreExplained() {
        List<PodState> pods = List.of(pod("a", "ReplicaSet/web", true), pod("b", "ReplicaSet/web", true),
                pod("c", "ReplicaSet/api", true), pod("d", "ReplicaSet/api", true));
        List<PastEviction> recent = List.of(new PastEviction("old", "uid-old", "ReplicaSet/web", T0.minus(Duration.ofMinutes(5))));
        assertThat(plan(DEFAULTS, pods.subList(0, 1), pods, recent)).singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("restarted 5m ago (remediation.cooldown 15m)"));
        List<PastEviction> three = List.of(
                new PastEviction("o1", "u1", "ReplicaSet/x", T0.minus(Duration.ofMinutes(50))),
                new PastEviction("o2", "u2", "ReplicaSet/y", T0.minus(Duration.ofMinutes(40))),
                new PastEviction("o3", "u3", "ReplicaSet/z", T0.minus(Duration.ofMinutes(30))));
        assertThat(plan(DEFAULTS, List.of(pods.get(2)), pods, three)).singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("3 restarts in the last hour (remediation.maxPerHour 3)"));
    }

    @Test
    void oneEvictionAtATimeByDefault() {
        List<PodState> pods = List.of(pod("a", "ReplicaSet/web", true), pod("b", "ReplicaSet/web", true),
                pod("c", "ReplicaSet/api", true), pod("d", "ReplicaSet/api", true));
        List<Decision> decisions = plan(DEFAULTS, List.of(pods.get(0), pods.get(2)), pods, List.of());
        assertThat(decisions).extracting(Decision::kind).containsExactly(Kind.Evict, Kind.Wait);
        assertThat(decisions.get(1).reason()).contains("in flight (remediation.maxConcurrent 1)");
    }

    /**
     * A storm: 100 Leaking pods in 10 workloads of 10, stepped minute by minute through 8 hours. Evicted
     * pods terminate after 30s and come back (not leaking) Ready 2 minutes later, as a ReplicaSet does.
     * With {@code restartEveryStep}, the history comes from a JSON round trip of status each step, as a new
     * planner after an operator restart or leader change would see it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aStormNeverBreaksABudgetAndEveryPodIsEventuallyHandled(boolean restartEveryStep) throws Exception {
        Settings settings = new Settings(RemediationAction.Evict, false, 2, Duration.ofMinutes(5), 30);
        Map<String, PodState> alive = new HashMap<>();
        Set<String> leakingUids = new HashSet<>();
        for (int w = 0; w < 10; w++) {
            for (int p = 0; p < 10; p++) {
                PodState pod = new PodState("w" + w + "-p" + p, "uid-w" + w + "-p" + p, "ReplicaSet/w" + w, true, false,
                        T0.minus(Duration.ofDays(1)));
                alive.put(pod.uid(), pod);
                leakingUids.add(pod.uid());
            }
        }
        List<PastEviction> history = new ArrayList<>();
        Map<String, Instant> terminateAt = new HashMap<>();
        Map<String, Instant> readyAt = new HashMap<>();
        Map<String, String> replacementOf = new HashMap<>();
        Set<String> evicted = new HashSet<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();
        int replacements = 0;
        for (Instant now = T0; now.isBefore(T0.plus(Duration.ofHours(8))); now = now.plus(Duration.ofMinutes(1))) {
            // The world moves: evicted pods go, replacements come and become Ready.
            for (String uid : new ArrayList<>(terminateAt.keySet())) {
                if (!terminateAt.get(uid).isAfter(now)) {
                    PodState gone = alive.remove(uid);
                    terminateAt.remove(uid);
                    PodState replacement = new PodState(gone.name() + "-r" + replacements, "uid-r" + replacements++,
                            gone.workload(), false, false, now);
                    alive.put(replacement.uid(), replacement);
                    replacementOf.put(uid, replacement.uid());
                    readyAt.put(replacement.uid(), now.plus(Duration.ofMinutes(2)));
                }
            }
            for (String uid : new ArrayList<>(readyAt.keySet())) {
                if (!readyAt.get(uid).isAfter(now)) {
                    PodState p = alive.get(uid);
                    alive.put(uid, new PodState(p.name(), p.uid(), p.workload(), true, false, p.created()));
                    readyAt.remove(uid);
                }
            }
            List<PastEviction> seen = history;
            if (restartEveryStep) {
                seen = json.readValue(json.writeValueAsString(history),
                        json.getTypeFactory().constructCollectionType(List.class, PastEviction.class));
            }
            List<PodState> pods = new ArrayList<>(alive.values());
            List<PodState> leaking = pods.stream().filter(p -> leakingUids.contains(p.uid()) && !p.terminating())
                    .sorted(java.util.Comparator.comparing(PodState::name)).toList();

            List<Decision> decisions = RemediationPlanner.plan(settings, leaking, pods, seen, now);

            // Ground truth: an eviction is in flight until its own replacement is Ready.
            int inFlightBefore = (int) history.stream().filter(e -> alive.containsKey(e.podUid())
                    || readyAt.containsKey(replacementOf.get(e.podUid()))).count();
            int evictedNow = 0;
            for (Decision d : decisions.stream().filter(d -> d.kind() == Kind.Evict).toList()) {
                assertThat(evicted.add(d.podUid())).as("%s evicted twice", d.pod()).isTrue();
                PodState target = alive.get(d.podUid());
                long readySiblings = alive.values().stream().filter(p -> p.workload().equals(target.workload())
                        && p.ready() && !p.terminating() && !p.uid().equals(target.uid())).count();
                assertThat(readySiblings).as("never the last Ready replica").isPositive();
                Instant last = history.stream().filter(e -> e.workload().equals(d.workload())).map(PastEviction::time)
                        .max(Instant::compareTo).orElse(Instant.MIN);
                assertThat(Duration.between(last, now)).as("cooldown of %s", d.workload())
                        .isGreaterThanOrEqualTo(settings.cooldown());
                history.add(new PastEviction(d.pod(), d.podUid(), d.workload(), now));
                alive.put(target.uid(), new PodState(target.name(), target.uid(), target.workload(), false, true,
                        target.created()));
                terminateAt.put(target.uid(), now.plus(Duration.ofSeconds(30)));
                evictedNow++;
            }
            assertThat(inFlightBefore + evictedNow).as("in flight at %s", now).isLessThanOrEqualTo(settings.maxConcurrent());
            Instant hourAgo = now.minus(Duration.ofHours(1));
            assertThat(history.stream().filter(e -> e.time().isAfter(hourAgo)).count()).as("per hour")
                    .isLessThanOrEqualTo(settings.maxPerHour());
        }
        assertThat(evicted).as("every leaking pod handled once the budgets allowed").hasSize(100);
    }
}
