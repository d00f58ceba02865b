package io.leakguard.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Flow;

import io.leakguard.operator.fairness.ByteBudget;
import org.junit.jupiter.api.Test;

class CappedBodyTest {

    private static final Flow.Subscription IGNORED = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private static CappedBody.Body read(CappedBody subscriber, String... chunks) {
        subscriber.onSubscribe(IGNORED);
        for (String chunk : chunks) {
            subscriber.onNext(List.of(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8))));
        }
        subscriber.onComplete();
        return subscriber.getBody().toCompletableFuture().join();
    }

    @Test
    void aReleasedBodyGivesBackItsBudgetAndHoldsNoBytesForTheIdleConnectionThatKeepsIt() {
        ByteBudget budget = new ByteBudget(1 << 20, 1 << 20);
        CappedBody subscriber = new CappedBody(64 << 10, budget, "team-a");
        CappedBody.Body body = read(subscriber, "go_goroutines 12\n", "go_threads 7\n");
        assertThat(new String(body.bytes, 0, body.length, StandardCharsets.UTF_8)).isEqualTo("go_goroutines 12\ngo_threads 7\n");
        assertThat(budget.inUse("team-a")).isPositive();

        subscriber.release();

        assertThat(budget.inUse("team-a")).isZero();
        assertThat(body.bytes).as("the body a pooled connection still references").isNull();
        assertThat(body.length).isEqualTo(30);
    }

    @Test
    void aBodyOverItsCapIsCutOffAndSaysSo() {
        CappedBody.Body body = read(new CappedBody(10), "0123456789", "more");
        assertThat(body.truncated).isTrue();
        assertThat(body.length).isEqualTo(10);
    }

    @Test
    void aBodyWithoutRoomInTheBudgetIsRefusedNotRead() {
        ByteBudget budget = new ByteBudget(1 << 20, 4096);
        CappedBody.Body body = read(new CappedBody(64 << 10, budget, "team-a"));
        assertThat(body.overBudget).isTrue();
        assertThat(budget.inUse("team-a")).isZero();
    }
}
