package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** How a trend is judged. */
@ValidationRule(value = "duration(self.window) >= duration('5m') && duration(self.window) <= duration('168h')",
        message = "spec.detection.window must be between 5m and 168h", fieldPath = ".window")
@ValidationRule(value = "duration(self.horizon) >= duration('1m') && duration(self.horizon) <= duration('168h')",
        message = "spec.detection.horizon must be between 1m and 168h", fieldPath = ".horizon")
@ValidationRule(value = "duration(self.warmup) <= duration('24h')",
        message = "spec.detection.warmup must be at most 24h", fieldPath = ".warmup")
public class DetectionSpec {

    @Default("1h")
    @Pattern(SchemaPatterns.DURATION)
    @Size(max = 32)
    @JsonPropertyDescription("How much history the trend is fitted over (5m to 168h). Longer windows ride"
            + " out noise and daily cycles but react later.")
    public String window = "1h";

    @Default("15m")
    @Pattern(SchemaPatterns.DURATION)
    @Size(max = 32)
    @JsonPropertyDescription("How long before the projected out-of-memory kill LeakGuard acts. A pod is"
            + " Leaking when the conservative projection reaches the memory limit within this horizon.")
    public String horizon = "15m";

    @Default("0.99")
    @Min(0.5)
    @Max(0.9999)
    @JsonPropertyDescription("Confidence the trend test must reach (0.5 to 0.9999); the slope's lower"
            + " confidence bound at this level drives the projection.")
    public Double confidence = 0.99;

    @Default("20")
    @Min(5)
    @Max(100000)
    @JsonPropertyDescription("Fewest trough samples in the window before any verdict other than"
            + " InsufficientData.")
    public Integer minSamples = 20;

    @Default("10m")
    @Pattern(SchemaPatterns.DURATION)
    @Size(max = 32)
    @JsonPropertyDescription("Samples from the first part of a container's life are ignored, so that cache"
            + " fill and JIT warm-up after a deploy are not mistaken for a leak. At most 24h.")
    public String warmup = "10m";

    @Default("500")
    @Min(1)
    @Max(10000000)
    @JsonPropertyDescription("A pod whose thread or goroutine count grows significantly faster than this"
            + " per hour (for half the window, by at least 40% of its level, and by half that rise past its earlier high) is Leaking, whatever"
            + " its memory: goroutine leaks can hold little memory. Set it above the service's hourly swing.")
    public Integer maxThreadGrowthPerHour = 500;

    @Min(1)
    @Max(100000000)
    @JsonPropertyDescription("Optional absolute bound: a pod with more live threads or goroutines than this,"
            + " while still growing, is Leaking. Unset means no absolute bound.")
    public Integer maxThreads;

    @Min(1)
    @Max(10000000)
    @JsonPropertyDescription("Optional, Go pods only: a pod whose goroutine leak profile proves at least this many"
            + " goroutines leaked is Leaking at once, whatever its trend. The profile (/debug/pprof/goroutineleak,"
            + " served by Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile) is read on the pprof"
            + " endpoint of diagnostics.threadDump (source GoPprof) every 5 minutes; its garbage collector proves"
            + " that nothing can ever wake those goroutines, so this is not a guess. Each read runs one extra GC"
            + " cycle in the pod. Unset (the default): the profile is only reported in dumps.")
    public Integer provenLeakGoroutines;
}
