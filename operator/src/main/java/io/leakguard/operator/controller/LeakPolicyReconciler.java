package io.leakguard.operator.controller;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.diagnostics.PodDiagnostics;
import io.leakguard.operator.http.EgressRules;
import io.leakguard.operator.remediation.Remediator;
import io.leakguard.operator.spec.PodSelector;
import io.leakguard.operator.spec.PolicyValidator;
import io.leakguard.operator.state.VerdictBoard;
import io.leakguard.operator.tracking.PodRegistry;
import io.leakguard.operator.tracking.TrimmedPodStore;
import io.leakguard.operator.tracking.TrackedPod;
import org.jboss.logging.Logger;

/**
 * Keeps each LeakPolicy's view of its pods current: which pods it selects, whether its spec is
 * usable, and the status that says so. Sampling, judging and acting happen in their own components.
 */
// Cleaner (and so a finalizer): deleting a policy must stop its sampling and, once alerting lands,
// resolve its open alerts; neither can happen after the object is gone.
@ControllerConfiguration(name = LeakPolicyReconciler.NAME)
public class LeakPolicyReconciler implements Reconciler<LeakPolicy>, Cleaner<LeakPolicy> {

    public static final String NAME = "leakpolicy";
    /** How soon an eviction intent, once written, is carried out. */
    static final Duration INTENT_FOLLOW_UP = Duration.ofMillis(200);
    private static final Logger LOG = Logger.getLogger(LeakPolicyReconciler.class);

    private final PodRegistry registry;
    private final VerdictBoard board;
    private final VerdictEventSource verdicts;
    private final PodDiagnostics diagnostics;
    private final Remediator remediator;
    private final Clock clock;
    private final EgressRules egress;

    public LeakPolicyReconciler(PodRegistry registry, VerdictBoard board, VerdictEventSource verdicts,
            PodDiagnostics diagnostics, Remediator remediator, Clock clock, EgressRules egress) {
        this.egress = egress;
        this.diagnostics = diagnostics;
        this.remediator = remediator;
        this.registry = registry;
        this.board = board;
        this.verdicts = verdicts;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, LeakPolicy>> prepareEventSources(EventSourceContext<LeakPolicy> context) {
        registry.presentWhen(id -> context.getPrimaryCache().get(id)
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).isPresent());
        PodToPolicyMapper mapper = new PodToPolicyMapper(
                namespace -> context.getPrimaryCache().list(namespace).toList(), registry);
        // One pod informer per watched namespace, each with its own trimming store. JOSDK hands one
        // configured item store to every namespace's informer, and each informer's relist then removes the
        // other namespaces' pods from it: with a list of namespaces, only one namespace's pods stayed
        // cached (the scale benchmark's two shards).
        Set<String> namespaces = context.getControllerConfiguration().getEffectiveNamespaces();
        boolean all = namespaces.isEmpty() || namespaces.contains(Constants.WATCH_ALL_NAMESPACES)
                || namespaces.contains(Constants.WATCH_CURRENT_NAMESPACE);
        podsPerNamespace = !all;
        List<EventSource<?, LeakPolicy>> sources = new java.util.ArrayList<>();
        for (String namespace : all ? Set.of(ALL) : namespaces) {
            var pods = InformerEventSourceConfiguration.from(Pod.class, LeakPolicy.class)
                    .withName(podSourceName(namespace))
                    .withSecondaryToPrimaryMapper(mapper)
                    .withItemStore(new TrimmedPodStore())
                    // The first list is read in pages: 10,000 pods in one answer ran a 256 MiB heap out of memory
                    // before a single one was trimmed (the scale benchmark).
                    .withInformerListLimit(INFORMER_LIST_LIMIT);
            if (all) {
                pods.withNamespacesInheritedFromController();
            } else {
                pods.withNamespaces(Set.of(namespace)).withFollowControllerNamespacesChanges(false);
            }
            sources.add(new InformerEventSource<>(pods.build(), context));
        }
        sources.add(verdicts);
        return sources;
    }

    private static final String ALL = "";
    /** Whether each watched namespace has its own pod informer (see prepareEventSources), or one covers all. */
    private volatile boolean podsPerNamespace;

    static String podSourceName(String namespace) {
        return namespace.isEmpty() ? "pods" : "pods-" + namespace;
    }

    /** Pods per page of the pod informer's first list. */
    static final long INFORMER_LIST_LIMIT = 500;

    @Override
    public UpdateControl<LeakPolicy> reconcile(LeakPolicy policy, Context<LeakPolicy> context) {
        ResourceID id = ResourceID.fromResource(policy);
        PolicyValidator.Parsed parsed = PolicyValidator.parse(policy.getSpec(), egress);
        List<String> problems = parsed.problems();
        List<TrackedPod> pods = problems.isEmpty() ? selectedPods(policy, context) : List.of();
        Set<String> dropped = registry.track(id, policy.getMetadata().getUid(), parsed.policy(), pods);
        if (!dropped.isEmpty()) {
            LOG.debugf("pods left policy: namespace=%s policy=%s pods=%s", id.getNamespace().orElse(""), id.getName(),
                    dropped);
        }
        List<PodJudgement> judgements = judgementsOf(pods, context);
        LeakPolicyStatus status = LeakPolicyStatusFactory.build(policy, pods.size(), judgements, problems,
                clock.instant());
        status.dumps = LeakPolicyStatusFactory.mergeDumps(diagnostics.records(id), status.dumps);
        Remediator.Outcome outcome = null;
        if (problems.isEmpty()) {
            outcome = remediator.remediate(policy, parsed.policy(), status, pods, judgements,
                    podCache(context, policy.getMetadata().getNamespace()).list(policy.getMetadata().getNamespace()).toList());
            status.remediations = outcome.records();
            status.restarts = outcome.restarts();
        }
        if (outcome != null && outcome.newIntent()) {
            writeIntent(policy, status, context);
            return UpdateControl.<LeakPolicy>noUpdate().rescheduleAfter(INTENT_FOLLOW_UP);
        }
        UpdateControl<LeakPolicy> control = patchIfChanged(policy, status);
        // Waiting on a dump, a PodDisruptionBudget or a retry: look again soon rather than at the next sample.
        return outcome != null && outcome.recheckSoon() ? control.rescheduleAfter(Duration.ofSeconds(5)) : control;
    }

    /**
     * Writes status holding a new eviction intent as a JSON merge patch carrying the resourceVersion it was
     * planned from: the API server refuses it (409) if another writer changed the policy since, and then
     * nothing is evicted on this plan; the next reconcile plans again from the fresh policy. (The operator's
     * other status writes are server-side applies, which take no such precondition.) Once written, the next
     * reconcile, right after, carries the intent out.
     */
    private static void writeIntent(LeakPolicy policy, LeakPolicyStatus status, Context<LeakPolicy> context) {
        LeakPolicy locked = statusPatch(policy, status);
        locked.getMetadata().setResourceVersion(policy.getMetadata().getResourceVersion());
        try {
            context.resourceOperations().jsonMergePatchPrimaryStatus(locked);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            LOG.infof("eviction intent not written: the policy changed since it was read; planning again:"
                    + " namespace=%s policy=%s", policy.getMetadata().getNamespace(), policy.getMetadata().getName());
        }
    }

    /** The latest judgement of each tracked pod, from the verdict event source; pods not judged yet are absent. */
    private static List<PodJudgement> judgementsOf(List<TrackedPod> pods, Context<LeakPolicy> context) {
        Map<String, PodJudgement> byPod = new HashMap<>();
        context.getSecondaryResources(PodJudgement.class).forEach(j -> byPod.put(j.pod(), j));
        return pods.stream().map(p -> byPod.get(p.name())).filter(Objects::nonNull).toList();
    }

    @Override
    public DeleteControl cleanup(LeakPolicy policy, Context<LeakPolicy> context) {
        registry.forget(ResourceID.fromResource(policy));
        board.forget(ResourceID.fromResource(policy));
        diagnostics.forget(ResourceID.fromResource(policy));
        LOG.infof("policy deleted, its pods are no longer watched: namespace=%s policy=%s",
                policy.getMetadata().getNamespace(), policy.getMetadata().getName());
        return DeleteControl.defaultDelete();
    }

    @Override
    public ErrorStatusUpdateControl<LeakPolicy> updateErrorStatus(LeakPolicy policy, Context<LeakPolicy> context,
            Exception e) {
        LOG.warnf(e, "reconcile failed, will retry: namespace=%s policy=%s", policy.getMetadata().getNamespace(),
                policy.getMetadata().getName());
        LeakPolicyStatus status = LeakPolicyStatusFactory.failed(policy, e, clock.instant());
        return ErrorStatusUpdateControl.patchStatus(statusPatch(policy, status));
    }

    private List<TrackedPod> selectedPods(LeakPolicy policy, Context<LeakPolicy> context) {
        PodSelector selector = PodSelector.of(policy.getSpec().selector);
        return podCache(context, policy.getMetadata().getNamespace()).list(policy.getMetadata().getNamespace(),
                pod -> isLive(pod) && selector.matches(pod.getMetadata().getLabels()))
                .map(pod -> TrackedPod.of(pod, policy.getSpec().metrics.port))
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .toList();
    }

    /** The pod cache that holds a namespace's pods: its own informer's, or the one over all namespaces. */
    @SuppressWarnings("unchecked")
    private InformerEventSource<Pod, LeakPolicy> podCache(Context<LeakPolicy> context, String namespace) {
        return (InformerEventSource<Pod, LeakPolicy>) context.eventSourceRetriever()
                .getEventSourceFor(Pod.class, podSourceName(podsPerNamespace ? namespace : ALL));
    }

    /** Finished or terminating pods cannot leak any further and are not counted. */
    private static boolean isLive(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return pod.getMetadata().getDeletionTimestamp() == null
                && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    private static UpdateControl<LeakPolicy> patchIfChanged(LeakPolicy policy, LeakPolicyStatus status) {
        if (Objects.equals(Serialization.asJson(policy.getStatus()), Serialization.asJson(status))) {
            return UpdateControl.noUpdate();
        }
        return UpdateControl.patchStatus(statusPatch(policy, status));
    }

    /** Only name and namespace: the status patch must not carry a stale resourceVersion. */
    private static LeakPolicy statusPatch(LeakPolicy policy, LeakPolicyStatus status) {
        LeakPolicy patch = new LeakPolicy();
        patch.getMetadata().setName(policy.getMetadata().getName());
        patch.getMetadata().setNamespace(policy.getMetadata().getNamespace());
        patch.setStatus(status);
        return patch;
    }
}
