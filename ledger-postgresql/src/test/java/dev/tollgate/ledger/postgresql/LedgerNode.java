package dev.tollgate.ledger.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.testapp.BlockingServlet;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;

/**
 * An application server in a JVM of its own, to be killed with SIGKILL by a test: Jetty with the
 * Tollgate filter on a JDBC ledger. Arguments: JDBC URL, user, password, schema. Prints
 * {@code URI <uri of the blocking endpoint>} when it serves.
 */
public final class LedgerNode {

    private LedgerNode() {
    }

    public static void main(String[] args) throws Exception {
        HikariDataSource pool = Postgres.pool(args[0], args[1], args[2], 4);
        PostgresLedger ledger = PostgresLedger.builder(pool).schema(args[3]).holdTimeout(Duration.ofSeconds(2))
                .sweepInterval(Duration.ZERO).build();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).build();
        TestServer server = TestServer.builder()
                .servlet("blocking", BlockingServlet.class, "/blocking")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
        System.out.println("URI " + server.uri("/blocking"));
        System.out.flush();
        Thread.currentThread().join(); // serve until the test kills this JVM
    }
}
