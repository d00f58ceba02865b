package io.leakguard.operator.config;

import java.time.Duration;
import java.util.function.Consumer;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import org.jboss.logging.Logger;

/** Applies {@link LeakGuardConfig}'s operator-wide settings (leader election) to the Operator SDK. */
@Singleton
public class OperatorSettings implements ConfigurationServiceCustomizer {

    private static final Logger LOG = Logger.getLogger(OperatorSettings.class);
    // client-go's defaults, which JOSDK also uses.
    private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

    private final LeakGuardConfig config;

    public OperatorSettings(LeakGuardConfig config) {
        this.config = config;
    }

    @Override
    public Consumer<ConfigurationServiceOverrider> overrider() {
        return overrider -> {
            LeakGuardConfig.LeaderElection election = config.leaderElection();
            if (election.enabled()) {
                LOG.infof("Leader election on: lease=%s namespace=%s", election.leaseName(),
                        election.leaseNamespace().orElse("(the operator's own)"));
                overrider.withLeaderElectionConfiguration(new LeaderElectionConfiguration(election.leaseName(),
                        election.leaseNamespace().orElse(null), LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD,
                        null, null, election.exitOnLostLease()));
            }
        };
    }
}
