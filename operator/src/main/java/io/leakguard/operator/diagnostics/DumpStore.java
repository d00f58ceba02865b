package io.leakguard.operator.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.text.StatusText;

/**
 * Keeps dumps in ConfigMaps owned by their LeakPolicy (so they go when it goes): the raw dump
 * gzip-compressed in {@code binaryData}, the report as text and JSON in {@code data}, all kept under
 * the 1 MiB object limit. The report is always kept; the raw dump is cut if it must be, and says so.
 */
@Singleton
public class DumpStore {

    public static final String LABEL_KIND = "leakguard.io/kind";
    public static final String LABEL_POLICY = "leakguard.io/policy";
    public static final String LABEL_POD = "leakguard.io/pod";
    public static final String ANNOTATION_TAKEN_AT = "leakguard.io/taken-at";
    public static final String ANNOTATION_TRUNCATED = "leakguard.io/truncated";
    /** Room for the compressed dump once base64 and the reports are counted against the 1 MiB limit. */
    static final int MAX_COMPRESSED = 600 * 1024;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final KubernetesClient client;

    public DumpStore(KubernetesClient client) {
        this.client = client;
    }

    /** What was stored. */
    public record Stored(String configMap, boolean truncated) {
    }

    /** The reports' shares of the 1 MiB limit, next to the compressed dump's base64 (800 KiB). */
    static final int MAX_REPORT_TEXT = 64 * 1024;
    static final int MAX_REPORT_JSON = 128 * 1024;

    /** The text report, cut at a line end within its share, and saying so. */
    static String fitText(String report) {
        if (report.length() <= MAX_REPORT_TEXT) {
            return report;
        }
        String note = "\n... (the report was cut at " + MAX_REPORT_TEXT / 1024 + " KiB; the dump holds it all)\n";
        int end = report.lastIndexOf('\n', MAX_REPORT_TEXT - note.length());
        return report.substring(0, Math.max(0, end)) + note;
    }

    /** The JSON report, or a short valid JSON saying it did not fit (a cut JSON would not parse). */
    static String fitJson(String report) {
        return report.length() <= MAX_REPORT_JSON ? report
                : "{\"truncated\":true,\"reason\":\"the report was larger than " + MAX_REPORT_JSON / 1024
                        + " KiB; see report.txt and the dump\"}";
    }

    public Stored store(String namespace, String policyName, String policyUid, String pod, Instant takenAt,
            String rawDump, boolean alreadyTruncated, String reportText, String reportJson, String source) {
        Compressed compressed = compressWithin(rawDump, MAX_COMPRESSED);
        boolean truncated = alreadyTruncated || compressed.cut;
        String name = configMapName(pod, takenAt);
        ConfigMapBuilder builder = new ConfigMapBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "leakguard")
                .addToLabels(LABEL_KIND, "dump")
                .addToLabels(LABEL_POLICY, labelValue(policyName))
                .addToLabels(LABEL_POD, labelValue(pod))
                .addToLabels("leakguard.io/taken-at", STAMP.format(takenAt))
                .addToAnnotations(ANNOTATION_TAKEN_AT, takenAt.toString())
                .addToAnnotations(ANNOTATION_TRUNCATED, String.valueOf(truncated))
                .addToAnnotations("leakguard.io/source", source == null ? ""
                        : StatusText.clean(source, 256))
                .endMetadata()
                .withData(Map.of("report.txt", fitText(reportText), "report.json", fitJson(reportJson)))
                .withBinaryData(Map.of("dump.txt.gz", Base64.getEncoder().encodeToString(compressed.bytes)));
        if (policyUid != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
                    .withApiVersion(LeakPolicy.GROUP + "/" + LeakPolicy.VERSION).withKind("LeakPolicy")
                    .withName(policyName).withUid(policyUid).withController(false).withBlockOwnerDeletion(false)
                    .build()).endMetadata();
        }
        client.configMaps().inNamespace(namespace).resource(builder.build()).create();
        return new Stored(name, truncated);
    }

    /**
     * Deletes the oldest dumps of a policy beyond {@code retain} (at least 1: the dump just stored stays);
     * returns how many went. Only ConfigMaps the policy owns (by its uid) are candidates: labels alone can be
     * copied onto any ConfigMap, and two policies whose names share their first 63 characters share labels.
     */
    public int prune(String namespace, String policyName, String policyUid, int retain) {
        retain = Math.max(1, retain);
        List<ConfigMap> dumps = client.configMaps().inNamespace(namespace)
                .withLabel(LABEL_KIND, "dump").withLabel(LABEL_POLICY, labelValue(policyName)).list().getItems().stream()
                .filter(c -> policyUid != null && c.getMetadata().getOwnerReferences() != null
                        && c.getMetadata().getOwnerReferences().stream().anyMatch(o -> policyUid.equals(o.getUid())))
                .toList();
        List<ConfigMap> newestFirst = dumps.stream()
                .sorted(Comparator.comparing((ConfigMap c) -> c.getMetadata().getAnnotations() == null ? ""
                        : c.getMetadata().getAnnotations().getOrDefault(ANNOTATION_TAKEN_AT, "")).reversed())
                .toList();
        int deleted = 0;
        for (ConfigMap old : newestFirst.subList(Math.min(retain, newestFirst.size()), newestFirst.size())) {
            client.configMaps().inNamespace(namespace).withName(old.getMetadata().getName()).delete();
            deleted++;
        }
        return deleted;
    }

    static String configMapName(String pod, Instant at) {
        String suffix = "-" + STAMP.format(at);
        String base = "leakguard-dump-" + pod;
        return (base.length() + suffix.length() > 253 ? base.substring(0, 253 - suffix.length()) : base) + suffix;
    }

    /** Label values are at most 63 characters; pod names can be longer. */
    static String labelValue(String value) {
        String cut = value.length() <= 63 ? value : value.substring(0, 63);
        return cut.replaceAll("[^A-Za-z0-9]+$", "");
    }

    record Compressed(byte[] bytes, boolean cut) {
    }

    /** Gzips the dump; if that is over {@code limit}, keeps the longest prefix whose compressed form fits. */
    static Compressed compressWithin(String text, int limit) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        byte[] whole = gzip(raw, raw.length);
        if (whole.length <= limit) {
            return new Compressed(whole, false);
        }
        int low = 0;
        int high = raw.length;
        byte[] best = gzip(raw, 0);
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            byte[] candidate = gzip(raw, mid);
            if (candidate.length <= limit) {
                low = mid;
                best = candidate;
            } else {
                high = mid - 1;
            }
        }
        return new Compressed(best, true);
    }

    private static byte[] gzip(byte[] raw, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw, 0, length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
