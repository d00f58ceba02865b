package io.leakguard.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

/** What the operator observed and did for one LeakPolicy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LeakPolicyStatus {

    @JsonPropertyDescription("The spec generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Standard conditions. Ready is False, with a reason and a message, when the"
            + " policy cannot be acted on.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("How many selected pods are in each verdict.")
    public PodCounts pods = new PodCounts();

    @JsonPropertyDescription("How many pods this policy has restarted since it was created.")
    public Integer restarts = 0;

    @JsonPropertyDescription("The few pods closest to running out of memory, worst first.")
    public List<PodRisk> atRisk = new ArrayList<>();

    @JsonPropertyDescription("The most recent thread or goroutine dumps, newest first, with where each is kept.")
    public List<DumpRecord> dumps = new ArrayList<>();

    @JsonPropertyDescription("The most recent remediations, newest first. The restart budgets are counted"
            + " from this list, so they survive an operator restart.")
    public List<RemediationRecord> remediations = new ArrayList<>();
}
