package io.leakguard.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.junit.jupiter.api.Test;

class JdkDefaultsTest {

    @Test
    void theOperatorBoundsTheIdleConnectionsItsHttpClientsKeep() {
        Properties properties = new Properties();
        LeakGuardMain.jdkDefaults(properties, 8);
        assertThat(properties.getProperty("jdk.httpclient.connectionPoolSize")).isEqualTo("256");
    }

    @Test
    void onTwoCoresResponsesRunOnAPoolNotOnANewThreadEach() {
        Properties properties = new Properties();
        LeakGuardMain.jdkDefaults(properties, 2);
        assertThat(properties.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism")).isEqualTo("2");
        Properties eight = new Properties();
        LeakGuardMain.jdkDefaults(eight, 8);
        assertThat(eight.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism")).isEqualTo("7");
    }

    @Test
    void whatJavaToolOptionsSetWins() {
        Properties properties = new Properties();
        properties.setProperty("jdk.httpclient.connectionPoolSize", "20000");
        properties.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "1");
        LeakGuardMain.jdkDefaults(properties, 2);
        assertThat(properties.getProperty("jdk.httpclient.connectionPoolSize")).isEqualTo("20000");
        assertThat(properties.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism")).isEqualTo("1");
    }
}
