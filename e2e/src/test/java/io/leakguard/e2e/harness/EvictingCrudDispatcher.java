package io.leakguard.e2e.harness;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetList;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The fabric8 mock API server's CRUD store, plus what it lacks: the {@code pods/eviction}
 * subresource with PodDisruptionBudget checks, answered as the real API server answers. 201 and the
 * pod deleted (through {@code onEvicted}, so a workload simulator can terminate it gracefully); 429
 * when a budget forbids it; 404 for no such pod; 409 when the uid precondition does not match.
 */
public class EvictingCrudDispatcher extends KubernetesCrudDispatcher {

    private static final Pattern EVICTION = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(\\?.*)?$");

    private final List<Consumer<Pod>> onEvicted = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Adds a handler called with each evicted pod (a workload simulator terminates it gracefully and
     * deletes it); with none, an evicted pod is deleted from the store at once.
     */
    public void onEvicted(Consumer<Pod> handler) {
        onEvicted.add(handler);
    }

    private final List<java.util.function.BiConsumer<String, String>> onPatched = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Adds a hook called with the path and body of each PATCH once it is stored, before the answer
     * is sent: a test uses it to stop the operator at an exact point.
     */
    public void onPatched(java.util.function.BiConsumer<String, String> hook) {
        onPatched.add(hook);
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        // Read without consuming it: the store reads the body next.
        String body = new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
        MockResponse response = super.handlePatch(request);
        onPatched.forEach(hook -> hook.accept(request.getPath(), body));
        return response;
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        Matcher m = EVICTION.matcher(request.getPath());
        if (!m.matches()) {
            return super.handleCreate(request);
        }
        String namespace = m.group(1);
        String name = m.group(2);
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        MockResponse found = handleGet(podPath);
        if (found.code() != 200) {
            return status(404, "NotFound", "pods \"" + name + "\" not found");
        }
        Pod pod = Serialization.unmarshal(found.getBody().readUtf8(), Pod.class);
        Eviction eviction = Serialization.unmarshal(request.getUtf8Body(), Eviction.class);
        String wantedUid = eviction.getDeleteOptions() == null || eviction.getDeleteOptions().getPreconditions() == null
                ? null : eviction.getDeleteOptions().getPreconditions().getUid();
        if (wantedUid != null && !wantedUid.equals(pod.getMetadata().getUid())) {
            return status(409, "Conflict", "Precondition failed: UID in precondition: " + wantedUid
                    + ", UID in object meta: " + pod.getMetadata().getUid());
        }
        for (PodDisruptionBudget pdb : list("/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets",
                PodDisruptionBudgetList.class).getItems()) {
            if (!matches(pdb.getSpec().getSelector(), pod.getMetadata().getLabels())) {
                continue;
            }
            List<Pod> covered = list("/api/v1/namespaces/" + namespace + "/pods", PodList.class).getItems().stream()
                    .filter(p -> matches(pdb.getSpec().getSelector(), p.getMetadata().getLabels()))
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            long healthy = covered.stream().filter(EvictingCrudDispatcher::ready).count();
            long allowed = healthy - desiredHealthy(pdb, covered.size());
            if (ready(pod) && allowed < 1) {
                return status(429, "TooManyRequests",
                        "Cannot evict pod as it would violate the pod's disruption budget.");
            }
        }
        if (onEvicted.isEmpty()) {
            handleDelete(podPath);
        } else {
            onEvicted.forEach(handler -> handler.accept(pod));
        }
        return status(201, "", "");
    }

    private <T> T list(String path, Class<T> type) {
        MockResponse response = handleGet(path);
        return Serialization.unmarshal(response.code() == 200 ? response.getBody().readUtf8()
                : "{\"items\":[]}", type);
    }

    static long desiredHealthy(PodDisruptionBudget pdb, int expected) {
        IntOrString minAvailable = pdb.getSpec().getMinAvailable();
        IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
        if (minAvailable != null) {
            return scaled(minAvailable, expected, true);
        }
        if (maxUnavailable != null) {
            return expected - scaled(maxUnavailable, expected, false);
        }
        return 0;
    }

    /** A count or a percentage of {@code total}; percentages of minAvailable round up, of maxUnavailable down. */
    private static long scaled(IntOrString value, int total, boolean roundUp) {
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        double share = Double.parseDouble(value.getStrVal().replace("%", "")) / 100.0 * total;
        return roundUp ? (long) Math.ceil(share) : (long) Math.floor(share);
    }

    static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(actual.get(e.getKey())))) {
            return false;
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressions() == null ? List.<LabelSelectorRequirement>of()
                : selector.getMatchExpressions()) {
            String value = actual.get(r.getKey());
            boolean ok = switch (r.getOperator()) {
                case "In" -> value != null && r.getValues().contains(value);
                case "NotIn" -> value == null || !r.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static MockResponse status(int code, String reason, String message) {
        Status status = new StatusBuilder().withApiVersion("v1").withKind("Status").withCode(code)
                .withStatus(code < 300 ? "Success" : "Failure").withReason(reason.isEmpty() ? null : reason)
                .withMessage(message.isEmpty() ? null : message).build();
        return new MockResponse().setResponseCode(code).setBody(Serialization.asJson(status));
    }
}
