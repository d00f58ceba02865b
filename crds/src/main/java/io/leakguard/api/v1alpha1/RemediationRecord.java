package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One remediation decision that was acted on (or withheld), kept for budgets and for people. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RemediationRecord {

    @JsonPropertyDescription("Pod name.")
    public String pod;

    @JsonPropertyDescription("Pod UID, so that a replacement with the same name is not confused with it.")
    public String podUid;

    @JsonPropertyDescription("Owning workload, as Kind/name (ReplicaSet/checkout-7c9f).")
    public String workload;

    @JsonPropertyDescription("When it happened (RFC 3339).")
    public String time;

    @JsonPropertyDescription("Evicted, DryRun, BlockedByPdb, BudgetExhausted or Failed.")
    public String result;

    @JsonPropertyDescription("Why, in one line.")
    public String reason;

    @JsonPropertyDescription("ConfigMap holding the compressed dump and its report, if one was taken.")
    public String dump;
}
