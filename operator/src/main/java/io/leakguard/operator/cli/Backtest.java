package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/** Replays exported Prometheus data through the detector. */
final class Backtest {

    private Backtest() {
    }

    static int run(Map<String, String> options, PrintStream out, PrintStream err) throws IOException {
        err.println("error: backtest is not built yet");
        return LeakGuardMain.USAGE;
    }
}
