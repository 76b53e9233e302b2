package dev.tollgate.cdi;

import static dev.tollgate.testing.Problem.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Denial;
import dev.tollgate.Money;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.Rendering;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * With a CDI container running (Weld, the implementation of GlassFish, Payara and WildFly),
 * SPI implementations that are beans are used; explicit configuration still wins; two candidates
 * stop the start-up with a message naming both. Without a container, other tests show nothing
 * changes (the CDI API is on this module's test class path for all of them).
 */
class CdiTest {

    /** A ledger bean: an in-memory ledger with one account. */
    @ApplicationScoped
    public static class LedgerBean implements Ledger {
        final InMemoryLedger delegate = InMemoryLedger.builder().account("cdi-user", Money.credits("10")).build();

        @Override
        public dev.tollgate.spi.Reservation reserve(dev.tollgate.spi.Charge charge) {
            return delegate.reserve(charge);
        }

        @Override
        public dev.tollgate.spi.Settlement commit(dev.tollgate.spi.Hold hold, dev.tollgate.spi.RecordedResponse r) {
            return delegate.commit(hold, r);
        }

        @Override
        public dev.tollgate.spi.Settlement release(dev.tollgate.spi.Hold hold) {
            return delegate.release(hold);
        }

        @Override
        public Optional<dev.tollgate.spi.Account> account(String accountId) {
            return delegate.account(accountId);
        }

        /** A method, not the field: callers hold a client proxy. */
        public Money balance(String accountId) {
            return delegate.account(accountId).orElseThrow().balance();
        }
    }

    /** A payer resolver bean: the payer is named in X-User. */
    @ApplicationScoped
    public static class ResolverBean implements PayerResolver {
        @Override
        public Optional<Payer> resolve(HttpServletRequest request) {
            String user = request.getHeader("X-User");
            return user == null ? Optional.empty() : Optional.of(new Payer(user, Payer.Source.CUSTOM));
        }
    }

    /** A renderer bean: the default problem details plus a marker header. */
    @ApplicationScoped
    public static class RendererBean implements DenialRenderer {
        @Override
        public Rendering render(Denial denial, HttpServletRequest request) {
            Rendering r = new ProblemDetailsRenderer().render(denial, request);
            List<Map.Entry<String, String>> headers = new java.util.ArrayList<>(r.headers());
            headers.add(Map.entry("X-Rendered-By", "cdi"));
            return new Rendering(r.status(), r.contentType(), r.body(), headers);
        }
    }

    /** A second ledger bean, to make the choice ambiguous. */
    @ApplicationScoped
    public static class OtherLedgerBean extends LedgerBean {
    }

    /** An event listener bean. */
    @ApplicationScoped
    public static class AuditBean implements dev.tollgate.spi.events.TollgateListener {
        static final List<dev.tollgate.spi.events.TollgateEvent> HEARD = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onEvent(dev.tollgate.spi.events.TollgateEvent event) {
            HEARD.add(event);
        }
    }

    /** A second event listener bean: listeners are not ambiguous, both hear every event. */
    @ApplicationScoped
    public static class AlertBean implements dev.tollgate.spi.events.TollgateListener {
        static final List<dev.tollgate.spi.events.TollgateEvent> HEARD = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onEvent(dev.tollgate.spi.events.TollgateEvent event) {
            HEARD.add(event);
        }
    }

    @Test
    void everyEventListenerBeanHearsEveryEvent() throws Exception {
        AuditBean.HEARD.clear();
        AlertBean.HEARD.clear();
        try (WeldContainer container = weld(AuditBean.class, AlertBean.class).initialize();
             TestServer server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*").start()) {
            assertEquals(402, server.get("/quotes/ACME").statusCode());
            assertEquals(2, Tollgate.from(server.context().getServletContext()).orElseThrow().eventListeners().size());
        }
        assertEquals(1, AuditBean.HEARD.size(), AuditBean.HEARD::toString);
        assertEquals(AuditBean.HEARD, AlertBean.HEARD);
        assertTrue(AuditBean.HEARD.get(0) instanceof dev.tollgate.spi.events.TollgateEvent.Refused);
    }

    private static Weld weld(Class<?>... beans) {
        return new Weld().disableDiscovery().addBeanClasses(beans).property("org.jboss.weld.bootstrap.concurrentDeployment", false);
    }

    @Test
    void beansAreUsedForTheLedgerTheResolverAndTheRenderer() throws Exception {
        try (WeldContainer container = weld(LedgerBean.class, ResolverBean.class, RendererBean.class).initialize();
             TestServer server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*").start()) {
            HttpResponse<String> refused = server.get("/quotes/ACME");
            assertEquals(402, refused.statusCode());
            assertEquals("cdi", refused.headers().firstValue("X-Rendered-By").orElse(""), "the renderer bean");

            HttpResponse<String> paid = server.get("/quotes/ACME", "X-User", "cdi-user");
            assertEquals(200, paid.statusCode(), paid::body);
            LedgerBean ledger = container.select(LedgerBean.class).get();
            assertEquals(Money.credits("9"), ledger.balance("cdi-user"),
                    "charged in the ledger bean, payer from the resolver bean");
        }
    }

    @Test
    void explicitConfigurationWinsOverBeans() throws Exception {
        InMemoryLedger attribute = InMemoryLedger.builder().account("gold", Money.credits("5")).build();
        try (WeldContainer container = weld(LedgerBean.class).initialize();
             TestServer server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*")
                     .attribute(Tollgate.LEDGER_ATTRIBUTE, attribute).start()) {
            assertEquals(200, server.get("/quotes/ACME", "X-API-Key", "gold").statusCode());
            assertEquals(Money.credits("4"), attribute.account("gold").orElseThrow().balance());
            Tollgate t = Tollgate.from(server.context().getServletContext()).orElseThrow();
            assertSame(attribute, t.ledger());
        }
    }

    @Test
    void twoLedgerBeansStopTheStartNamingBoth() {
        try (WeldContainer container = weld(LedgerBean.class, OtherLedgerBean.class).initialize()) {
            Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                    .servlet("quotes", QuoteServlet.class, "/quotes/*").start().close());
            Throwable t = e;
            while (t.getCause() != null && !t.getMessage().contains("several CDI beans")) {
                t = t.getCause();
            }
            String message = t.getMessage();
            assertTrue(message.contains("several CDI beans implement " + Ledger.class.getName())
                    && message.contains("OtherLedgerBean") && message.contains("tollgate.ledger"), message);
        }
    }

    @Test
    void withoutARunningContainerTheDefaultsApply() throws Exception {
        try (TestServer server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*").start()) {
            HttpResponse<String> r = server.get("/quotes/ACME", "X-User", "cdi-user");
            assertEquals(402, r.statusCode(), "X-User means nothing to the default resolver");
            assertEquals("https://tollgate.dev/problems/payment-required", json(r).get("type"));
            assertTrue(r.headers().firstValue("X-Rendered-By").isEmpty());
        }
    }
}
