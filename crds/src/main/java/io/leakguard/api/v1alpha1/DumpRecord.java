package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A thread or goroutine dump taken from a pod, and where it is kept. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DumpRecord {

    @JsonPropertyDescription("Pod name.")
    public String pod;

    @JsonPropertyDescription("When the dump was taken (RFC 3339).")
    public String time;

    @JsonPropertyDescription("ConfigMap in this namespace holding the compressed dump (dump.txt.gz) and its report."
            + " Fetch it with: kubectl get configmap NAME -o jsonpath='{.binaryData.dump\\.txt\\.gz}' | base64 -d | gunzip")
    public String configMap;

    @JsonPropertyDescription("The group of goroutines or threads that grew most, in one line.")
    public String topGroup;

    @JsonPropertyDescription("Go pods serving the goroutine leak profile: how many goroutines the runtime proved"
            + " leaked when the dump was taken, and the largest group, in one line.")
    public String provenLeaks;

    @JsonPropertyDescription("Where the pod's goroutine profiles were pushed (Pyroscope), when the policy asks for it.")
    public String profiles;

    @JsonPropertyDescription("True when the dump was cut off at diagnostics.threadDump.maxBytes or to fit the ConfigMap.")
    public Boolean truncated;

    @JsonPropertyDescription("Why no dump could be taken, when it failed.")
    public String error;
}
