package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What LeakGuard may do to a Leaking pod, and the budgets that bound it. */
@ValidationRule(value = "duration(self.cooldown) >= duration('1m') && duration(self.cooldown) <= duration('168h')",
        message = "spec.remediation.cooldown must be between 1m and 168h", fieldPath = ".cooldown")
public class RemediationSpec {

    @Default("Evict")
    @JsonPropertyDescription("Evict restarts a Leaking pod through the Eviction API, which honours"
            + " PodDisruptionBudgets and the grace period. None only reports.")
    public RemediationAction action = RemediationAction.Evict;

    @Default("false")
    @JsonPropertyDescription("Decide and report as usual, but never evict: alerts say what would have happened.")
    public Boolean dryRun = false;

    @Default("1")
    @Min(1)
    @Max(50)
    @JsonPropertyDescription("Most evictions of this policy in flight at once (evicted, replacement not yet Ready).")
    public Integer maxConcurrent = 1;

    @Default("15m")
    @Pattern(SchemaPatterns.DURATION)
    @Size(max = 32)
    @JsonPropertyDescription("Least time between two evictions in the same workload (1m to 168h).")
    public String cooldown = "15m";

    @Default("3")
    @Min(1)
    @Max(60)
    @JsonPropertyDescription("Most evictions by this policy in any hour.")
    public Integer maxPerHour = 3;
}
