package io.leakguard.api.v1alpha1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Alertmanager endpoints that receive LeakGuard's alerts. */
public class AlertmanagerSpec {

    @Required
    @Size(min = 1, max = 10)
    @JsonPropertyDescription("Base URLs of the Alertmanagers (all members of an HA pair), such as"
            + " http://alertmanager.monitoring:9093. Alerts are posted to each at /api/v2/alerts; the operator rejects entries that are not http(s) URLs.")
    public List<String> urls = new ArrayList<>();

    @Size(max = 20)
    @JsonPropertyDescription("Extra labels added to every alert, for routing (team, severity...).")
    public Map<String, String> labels = new LinkedHashMap<>();
}
