package dev.tollgate.ledger.postgresql;

import dev.tollgate.spi.ParameterNames;
import java.util.Set;

/**
 * Declares the {@code tollgate.jdbc.*} parameters that {@link PostgresLedger#PostgresLedger(java.util.Map)}
 * reads, so that Tollgate accepts them when this module is in the application. Found through
 * {@code META-INF/services/dev.tollgate.spi.ParameterNames}; not for direct use.
 *
 * <p>Stateless and thread-safe.
 */
public final class PostgresLedgerParameters implements ParameterNames {

    /** Creates the declaration (called by {@link java.util.ServiceLoader}). */
    public PostgresLedgerParameters() {
    }

    @Override
    public String module() {
        return "tollgate-ledger-postgresql";
    }

    @Override
    public Set<String> names() {
        return TollgateParameters.NAMES;
    }
}
