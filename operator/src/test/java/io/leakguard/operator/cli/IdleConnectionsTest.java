package io.leakguard.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.junit.jupiter.api.Test;

class IdleConnectionsTest {

    @Test
    void theOperatorBoundsTheIdleConnectionsItsHttpClientsKeep() {
        Properties properties = new Properties();
        LeakGuardMain.boundIdleConnections(properties);
        assertThat(properties.getProperty("jdk.httpclient.connectionPoolSize")).isEqualTo("256");
    }

    @Test
    void aBoundGivenInJavaToolOptionsWins() {
        Properties properties = new Properties();
        properties.setProperty("jdk.httpclient.connectionPoolSize", "20000");
        LeakGuardMain.boundIdleConnections(properties);
        assertThat(properties.getProperty("jdk.httpclient.connectionPoolSize")).isEqualTo("20000");
    }
}
