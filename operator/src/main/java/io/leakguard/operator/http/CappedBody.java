package io.leakguard.operator.http;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import io.leakguard.operator.fairness.ByteBudget;

/**
 * Collects at most {@code cap} bytes, then cancels the stream so the rest is never read. Its buffer is
 * reserved in {@code budget} for {@code tenant} as it grows; {@link #release()} gives it back.
 */
public final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Body> {

    /**
     * A body read up to a cap; {@code truncated} when the server had more, {@code overBudget} when the
     * operator's byte budget for bodies in flight ran out first.
     */
    public static final class Body {
        /** Null once the subscriber is {@linkplain #release() released}. */
        public byte[] bytes;
        public final int length;
        public final boolean truncated;
        public final boolean overBudget;

        Body(byte[] bytes, int length, boolean truncated, boolean overBudget) {
            this.bytes = bytes;
            this.length = length;
            this.truncated = truncated;
            this.overBudget = overBudget;
        }
    }

    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private final int cap;
    private final ByteBudget budget;
    private final String tenant;
    private byte[] buffer;
    private int length;
    private long reserved;
    private boolean released;
    private Flow.Subscription subscription;
    private Body completed;

    public CappedBody(int cap) {
        this(cap, ByteBudget.unlimited(), "");
    }

    public CappedBody(int cap, ByteBudget budget, String tenant) {
        this.cap = cap;
        this.budget = budget;
        this.tenant = tenant;
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (!grow(Math.min(cap, 8192))) {
            subscription.cancel();
            complete(new byte[0], 0, false, true);
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer item : items) {
            int n = item.remaining();
            if (length + n > cap) {
                subscription.cancel();
                complete(buffer, length, true, false);
                return;
            }
            if (length + n > buffer.length
                    && !grow(Math.min(cap, Math.max(length + n, buffer.length * 2)))) {
                subscription.cancel();
                complete(buffer, length, false, true);
                return;
            }
            item.get(buffer, length, n);
            length += n;
        }
        subscription.request(1);
    }

    private synchronized boolean grow(int size) {
        if (released || !budget.reserve(tenant, size - (buffer == null ? 0 : buffer.length))) {
            return false;
        }
        reserved += size - (buffer == null ? 0 : buffer.length);
        buffer = buffer == null ? new byte[size] : Arrays.copyOf(buffer, size);
        return true;
    }

    /**
     * Gives the buffer's reservation back and lets go of the buffer; call once the body has been parsed.
     * The HTTP client keeps a pooled connection's last exchange, and with it this subscriber and its body:
     * keeping the bytes too held one scrape body per idle connection (about 120 MB at 10,000 pods) that the
     * budget believed returned.
     */
    public synchronized void release() {
        if (!released) {
            released = true;
            budget.release(tenant, reserved);
        }
        buffer = null;
        if (completed != null) {
            completed.bytes = null;
        }
    }

    private void complete(byte[] bytes, int length, boolean truncated, boolean overBudget) {
        Body body;
        synchronized (this) {
            body = new Body(released ? null : bytes, length, truncated, overBudget);
            completed = body;
        }
        result.complete(body);
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        complete(buffer, length, false, false);
    }
}
