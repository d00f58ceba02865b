package io.leakguard.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Counts of the selected pods by verdict. */
public class PodCounts {

    @JsonPropertyDescription("Pods the selector matches.")
    public Integer matched = 0;

    @JsonPropertyDescription("Pods with a significant upward trend whose projected OOM is still beyond the horizon.")
    public Integer suspect = 0;

    @JsonPropertyDescription("Pods whose trend breaks the policy: eligible for a restart.")
    public Integer leaking = 0;

    @JsonPropertyDescription("Pods without enough recent samples to judge.")
    public Integer insufficientData = 0;

    public PodCounts() {
    }

    public PodCounts(int matched, int suspect, int leaking, int insufficientData) {
        this.matched = matched;
        this.suspect = suspect;
        this.leaking = leaking;
        this.insufficientData = insufficientData;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PodCounts other && Objects.equals(matched, other.matched)
                && Objects.equals(suspect, other.suspect) && Objects.equals(leaking, other.leaking)
                && Objects.equals(insufficientData, other.insufficientData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(matched, suspect, leaking, insufficientData);
    }
}
