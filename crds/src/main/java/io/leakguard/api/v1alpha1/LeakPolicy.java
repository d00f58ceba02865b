package io.leakguard.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A namespaced rule saying which pods LeakGuard watches for leaks, and what it may do about them. */
@Group(LeakPolicy.GROUP)
@Version(LeakPolicy.VERSION)
@Singular("leakpolicy")
@Plural("leakpolicies")
@ShortNames({"lp", "leakpol"})
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.pods.matched", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Suspect", jsonPath = ".status.pods.suspect", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Leaking", jsonPath = ".status.pods.leaking", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Restarts", jsonPath = ".status.restarts", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Runtime", jsonPath = ".spec.runtime", type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(name = "DryRun", jsonPath = ".spec.remediation.dryRun", type = AdditionalPrinterColumn.Type.BOOLEAN,
        priority = 1)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class LeakPolicy extends CustomResource<LeakPolicySpec, LeakPolicyStatus> implements Namespaced {

    public static final String GROUP = "leakguard.io";
    public static final String VERSION = "v1alpha1";

    // No initStatus(): a policy read from the API server before the operator first wrote its status
    // must have none, so that the status patch computed from it adds /status rather than replacing
    // fields the server does not have (which it refuses).
}
