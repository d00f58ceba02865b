package io.leakguard.operator.fairness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteBudgetTest {

    @Test
    void oneNamespaceCannotHoldMoreThanItsShareNorAllTogetherMoreThanTheTotal() {
        ByteBudget budget = new ByteBudget(100, 60);
        assertThat(budget.reserve("a", 60)).isTrue();
        assertThat(budget.reserve("a", 1)).isFalse();
        assertThat(budget.reserve("b", 40)).isTrue();
        assertThat(budget.reserve("c", 1)).as("the total is spent").isFalse();
        budget.release("a", 60);
        assertThat(budget.reserve("c", 60)).isTrue();
        assertThat(budget.inUse()).isEqualTo(100);
    }

    @Test
    void releasingMoreThanWasReservedGivesNothingExtra() {
        ByteBudget budget = new ByteBudget(100, 100);
        budget.reserve("a", 10);
        budget.release("a", 50);
        budget.release("b", 50);
        assertThat(budget.inUse()).isZero();
        assertThat(budget.reserve("a", 101)).isFalse();
    }
}
