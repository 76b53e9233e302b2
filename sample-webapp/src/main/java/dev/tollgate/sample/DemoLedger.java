package dev.tollgate.sample;

import dev.tollgate.Tollgate;
import dev.tollgate.ledger.InMemoryLedger;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Chooses the sample's ledger before the Tollgate filter starts: an in-memory ledger seeded from
 * {@code /WEB-INF/demo-accounts.properties} ({@code demo-gold}, {@code demo-silver},
 * {@code demo-empty}). It hands the ledger over through the servlet-context attribute
 * {@link Tollgate#LEDGER_ATTRIBUTE}, the way any application plugs in its own.
 */
@WebListener
public class DemoLedger implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try (InputStream in = event.getServletContext().getResourceAsStream("/WEB-INF/demo-accounts.properties")) {
            if (in == null) {
                throw new IllegalStateException("/WEB-INF/demo-accounts.properties is missing from the WAR");
            }
            event.getServletContext().setAttribute(Tollgate.LEDGER_ATTRIBUTE, InMemoryLedger.load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
