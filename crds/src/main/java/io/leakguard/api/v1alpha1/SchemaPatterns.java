package io.leakguard.api.v1alpha1;

/** The string syntaxes that the schema accepts, shared by the fields that use them. */
public final class SchemaPatterns {

    /** Go-style durations without a sign, as kubectl users write them: 90s, 15m, 1h30m, 250ms. */
    public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

    /** Kubernetes byte quantities without a sign: 8Mi, 512Ki, 1G, 1048576. */
    public static final String BYTES = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$";

    /**
     * A Prometheus metric name, optionally with equality or inequality label matchers:
     * jvm_memory_used_bytes{area="heap"}, container_memory_working_set_bytes{container!=""}.
     */
    public static final String METRIC_SELECTOR = "^[a-zA-Z_:][a-zA-Z0-9_:]*"
            + "(\\{ *([a-zA-Z_][a-zA-Z0-9_]* *!?= *\"[^\"\\\\{},]*\" *(, *[a-zA-Z_][a-zA-Z0-9_]* *!?= *\"[^\"\\\\{},]*\" *)*)?\\})?$";

    /** An absolute http or https URL. */
    public static final String HTTP_URL = "^https?://[^\\s/?#]+([/?#][^\\s]*)?$";

    /** An absolute HTTP path. */
    public static final String HTTP_PATH = "^/[^\\s]*$";

    private SchemaPatterns() {
    }
}
