package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The module owns its {@code tollgate.jdbc.*} parameters: with the module on the class path they are
 * accepted, a typo among them names the module and its names, and {@code tollgate.ledger} reaches
 * the parameter constructor.
 */
class PostgresLedgerParametersTest {

    @Test
    void theLedgersParametersAreAcceptedWhenTheModuleIsPresent() throws Exception {
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, InMemoryLedger.builder()
                        .account("gold", Money.credits("10")).build())
                .initParam(PostgresLedger.SCHEMA_NAME, "tollgate")
                .initParam(PostgresLedger.HOLD_TIMEOUT, "600")
                .initParam(PostgresLedger.REPLAY_RETENTION, "86400")
                .initParam(PostgresLedger.GROUP_COMMIT, "false")
                .start()) {
            assertEquals(402, server.get("/quotes/x").statusCode());
            assertEquals(200, server.get("/quotes/x", "X-API-Key", "gold").statusCode());
        }
    }

    @Test
    void aTypoAmongTheLedgersParametersNamesTheModuleAndItsParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of("tollgate.jdbc.schemaName", "x"), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("tollgate.jdbc.schemaName is not read by tollgate-ledger-postgresql, which"
                + " reads [tollgate.jdbc.createSchema, tollgate.jdbc.dataSource, tollgate.jdbc.holdTimeout,"
                + " tollgate.jdbc.queryTimeout, tollgate.jdbc.replayRetention, tollgate.jdbc.schema,"
                + " tollgate.jdbc.sweepInterval, tollgate.postgresql.groupCommit]"), e.getMessage());
    }

    @Test
    void theLedgerNamedByParameterIsBuiltFromThem() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.LEDGER, PostgresLedger.class.getName())
                .initParam(PostgresLedger.SCHEMA_NAME, "tollgate")
                .start().close());
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        assertTrue(all.toString().contains(PostgresLedger.DATA_SOURCE + " must name the JNDI data source of the ledger"),
                all.toString());
    }
}
