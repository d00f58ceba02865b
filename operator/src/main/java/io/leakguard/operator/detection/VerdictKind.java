package io.leakguard.operator.detection;

/** How a pod's trend is judged. Only Leaking may lead to a restart. */
public enum VerdictKind {
    /** Too few or too old samples to judge: never acted on. */
    InsufficientData,
    Healthy,
    /** A significant upward trend, but the projected OOM is beyond the horizon. */
    Suspect,
    /** A significant trend that reaches the limit within the horizon, or threads growing past their bound. */
    Leaking;

    /** Rank for "worst first" ordering. */
    public int severity() {
        return switch (this) {
            case Leaking -> 3;
            case Suspect -> 2;
            case InsufficientData -> 1;
            case Healthy -> 0;
        };
    }
}
