package io.leakguard.operator.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;

/** Runs a command in a pod's container through the API server's exec (needs {@code pods/exec} create). */
public final class PodExecRunner implements CommandRunner {

    private final KubernetesClient client;
    private final String namespace;
    private final String pod;
    private final String container;

    public PodExecRunner(KubernetesClient client, String namespace, String pod, String container) {
        this.client = client;
        this.namespace = namespace;
        this.pod = pod;
        this.container = container;
    }

    @Override
    public CompletableFuture<Result> run(List<String> command, Duration timeout, int maxBytes) {
        CappedStream out = new CappedStream(maxBytes);
        CappedStream err = new CappedStream(64 * 1024);
        ExecWatch watch;
        try {
            var target = client.pods().inNamespace(namespace).withName(pod);
            watch = (container == null ? target : target.inContainer(container))
                    .writingOutput(out).writingError(err).exec(command.toArray(String[]::new));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new DumpException("exec in pod " + namespace + "/" + pod
                    + " failed: " + e.getMessage() + " (the operator needs RBAC create on pods/exec)"));
        }
        ExecWatch running = watch;
        return watch.exitCode()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((code, error) -> {
                    running.close();
                    if (error != null) {
                        throw new DumpException("'" + String.join(" ", command) + "' in pod " + pod
                                + " did not finish within " + timeout.toSeconds() + "s");
                    }
                    return new Result(code == null ? -1 : code, out.text(), err.text(), out.truncated);
                });
    }

    @Override
    public CompletableFuture<String> recentLog(int maxBytes) {
        return CompletableFuture.supplyAsync(() -> {
            var target = client.pods().inNamespace(namespace).withName(pod);
            return (container == null ? target : target.inContainer(container)).limitBytes(maxBytes).getLog();
        });
    }

    /** Keeps the first {@code cap} bytes and counts the rest as cut off. */
    static final class CappedStream extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int cap;
        boolean truncated;

        CappedStream(int cap) {
            this.cap = cap;
        }

        @Override
        public synchronized void write(int b) {
            if (bytes.size() < cap) {
                bytes.write(b);
            } else {
                truncated = true;
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = Math.max(0, cap - bytes.size());
            bytes.write(b, off, Math.min(room, len));
            if (len > room) {
                truncated = true;
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
