package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/** How the thread or goroutine dump is taken. */
@ValidationRule(value = "!has(self.source) || self.source != 'Http' || has(self.path)",
        message = "spec.diagnostics.threadDump.path is required when source is Http", fieldPath = ".path",
        reason = "FieldValueRequired")
@ValidationRule(value = "duration(self.timeout) >= duration('1s') && duration(self.timeout) <= duration('5m')",
        message = "spec.diagnostics.threadDump.timeout must be between 1s and 5m", fieldPath = ".timeout")
@ValidationRule(value = "!has(self.maxBytes) || !isQuantity(self.maxBytes)"
        + " || (quantity(self.maxBytes).compareTo(quantity('64Ki')) >= 0"
        + " && quantity(self.maxBytes).compareTo(quantity('16Mi')) <= 0)",
        message = "spec.diagnostics.threadDump.maxBytes must be between 64Ki and 16Mi", fieldPath = ".maxBytes")
public class ThreadDumpSpec {

    @Default("true")
    @JsonPropertyDescription("Take a dump before restarting a pod. The restart still happens if the dump fails.")
    public Boolean enabled = true;

    @JsonPropertyDescription("GoPprof (/debug/pprof/goroutine), JvmJcmd (jcmd Thread.print through pod exec)"
            + " or Http (any path, such as /actuator/threaddump). Unset: GoPprof for Go, JvmJcmd for JVM.")
    public DumpSource source;

    @ValidationRule(value = "type(self) != int || (self >= 1 && self <= 65535)",
            message = "spec.diagnostics.threadDump.port must be a port number between 1 and 65535, or a port name")
    @JsonPropertyDescription("Port of the dump endpoint (GoPprof, Http). Unset: the metrics port.")
    public IntOrString port;

    @Pattern(SchemaPatterns.HTTP_PATH)
    @Size(max = 1024)
    @JsonPropertyDescription("HTTP path of the dump endpoint. Unset for GoPprof: /debug/pprof/goroutine?debug=2."
            + " Required for Http.")
    public String path;

    @Default("8Mi")
    @Pattern(SchemaPatterns.BYTES)
    @Size(max = 32)
    @JsonPropertyDescription("Largest dump read, as a quantity (8Mi), from 64Ki to 16Mi. A longer dump is cut"
            + " off and marked as truncated.")
    public String maxBytes = "8Mi";

    @Default("30s")
    @Pattern(SchemaPatterns.DURATION)
    @Size(max = 32)
    @JsonPropertyDescription("How long taking the dump may last (1s to 5m).")
    public String timeout = "30s";
}
