package io.leakguard.operator.detection;

/** The latest verdict on one pod, and the latest sampling error if its last sample failed. */
public record PodJudgement(String pod, Verdict verdict, String lastError, long atMillis) {
}
