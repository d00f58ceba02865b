package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One pod at risk, with the numbers behind its verdict. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodRisk {

    @JsonPropertyDescription("Pod name.")
    public String pod;

    @JsonPropertyDescription("Healthy, Suspect, Leaking or InsufficientData.")
    public String verdict;

    @JsonPropertyDescription("Growth of live threads or goroutines per hour (Theil-Sen slope).")
    public Double threadsPerHour;

    @JsonPropertyDescription("Growth of the heap baseline in bytes per hour (Theil-Sen slope of the troughs).")
    public Double heapBytesPerHour;

    @JsonPropertyDescription("Projected time until the memory limit is reached, from the conservative slope.")
    public String projectedOomIn;

    @JsonPropertyDescription("Why the verdict was reached, in one line.")
    public String reason;
}
