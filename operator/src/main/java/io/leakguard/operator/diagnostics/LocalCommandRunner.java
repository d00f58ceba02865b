package io.leakguard.operator.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command as a local process: for the operator's offline use and for tests against real JVMs. */
public final class LocalCommandRunner implements CommandRunner {

    private final Path binDir;

    /** Runs commands from the PATH. */
    public LocalCommandRunner() {
        this(null);
    }

    /** Runs commands found in {@code binDir} (a JDK's bin, say) before the PATH. */
    public LocalCommandRunner(Path binDir) {
        this.binDir = binDir;
    }

    @Override
    public CompletableFuture<Result> run(List<String> command, Duration timeout, int maxBytes) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<String> resolved = new ArrayList<>(command);
                if (binDir != null && Files.isExecutable(binDir.resolve(command.get(0)))) {
                    resolved.set(0, binDir.resolve(command.get(0)).toString());
                }
                Process process = new ProcessBuilder(resolved).start();
                CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readCapped(process.getErrorStream(), 64 * 1024));
                byte[] out = readCapped(process.getInputStream(), maxBytes + 1);
                boolean truncated = out.length > maxBytes;
                if (truncated) {
                    process.destroyForcibly();
                }
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new DumpException("'" + String.join(" ", command) + "' did not finish within " + timeout.toSeconds() + "s");
                }
                return new Result(truncated ? 0 : process.exitValue(),
                        new String(out, 0, Math.min(out.length, maxBytes), StandardCharsets.UTF_8),
                        new String(stderr.join(), StandardCharsets.UTF_8), truncated);
            } catch (IOException e) {
                throw new DumpException("cannot run '" + command.get(0) + "': " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DumpException("interrupted");
            }
        });
    }

    private static byte[] readCapped(InputStream in, int cap) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while (out.size() < cap && (n = in.read(buffer, 0, Math.min(buffer.length, cap - out.size()))) > 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the process went away; keep what was read
        }
        return out.toByteArray();
    }
}
