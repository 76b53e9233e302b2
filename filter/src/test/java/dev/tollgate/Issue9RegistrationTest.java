package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testapp.PlainServlet;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 1, on an embedded server: the web fragment's listener and {@link TollgateRequired}
 * share the initializer's registration step. The real distributions (Jetty without
 * {@code ee10-annotations}, Tomcat with an absolute ordering) are tested in
 * {@code containers/standalone}.
 */
class Issue9RegistrationTest {

    private static InMemoryLedger ledger() {
        return InMemoryLedger.builder().account("gold", Money.credits("100")).build();
    }

    @Test
    void fragmentListenerRegistersTheFilterWhereNoInitializerRuns() throws Exception {
        try (TestServer server = TestServer.builder().withoutInitializer()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger())
                .customize(ctx -> ctx.addEventListener(new TollgateFragmentListener()))
                .start()) {
            assertEquals(402, server.get("/quotes/x").statusCode());
            assertEquals(200, server.get("/quotes/x", "X-API-Key", "gold").statusCode());
        }
    }

    @Test
    void initializerFragmentListenerAndRequiredRegisterOneFilter() throws Exception {
        InMemoryLedger ledger = ledger();
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .customize(ctx -> {
                    ctx.addEventListener(new TollgateRequired());
                    ctx.addEventListener(new TollgateFragmentListener());
                })
                .start()) {
            assertEquals(1, server.context().getServletHandler().getFilters().length);
            assertEquals(200, server.get("/quotes/x", "X-API-Key", "gold").statusCode());
            assertEquals(Money.credits("99"), ledger.account("gold").orElseThrow().balance());
        }
    }

    @Test
    void fragmentListenerHonoursAutoRegisterOff() throws Exception {
        try (TestServer server = TestServer.builder().withoutInitializer()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.AUTO_REGISTER, "false")
                .customize(ctx -> ctx.addEventListener(new TollgateFragmentListener()))
                .start()) {
            assertEquals(0, server.context().getServletHandler().getFilters().length);
        }
    }

    @Test
    void requiredRegistersTheFilterWhenNothingElseDid() throws Exception {
        try (TestServer server = TestServer.builder().withoutInitializer()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger())
                .customize(ctx -> ctx.addEventListener(new TollgateRequired()))
                .start()) {
            assertEquals(402, server.get("/quotes/x").statusCode());
        }
    }

    @Test
    void requiredAcceptsAFilterTheApplicationDeclares() throws Exception {
        try (TestServer server = TestServer.builder().withoutInitializer()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger())
                .initParam(TollgateConfig.AUTO_REGISTER, "false")
                .customize(ctx -> {
                    ctx.addFilter(new FilterHolder(TollgateFilter.class), "/*", EnumSet.of(DispatcherType.REQUEST));
                    ctx.addEventListener(new TollgateRequired());
                })
                .start()) {
            assertEquals(402, server.get("/quotes/x").statusCode());
        }
    }

    @Test
    void requiredFailsWhenTheDeclaredFilterHasNoMapping() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder().withoutInitializer()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.AUTO_REGISTER, "false")
                .customize(ctx -> {
                    FilterHolder holder = new FilterHolder(TollgateFilter.class);
                    holder.setName("declared");
                    ctx.getServletHandler().addFilter(holder);
                    ctx.addEventListener(new TollgateRequired());
                })
                .start().close());
        String all = messages(e);
        assertTrue(all.contains("the Tollgate filter [declared] has no mapping, while servlet \"quotes\" ("
                + QuoteServlet.class.getName() + ") is priced or rate-limited"), all);
    }

    @Test
    void requiredFailsWhenTollgateIsDisabledAndPoliciesAreConfigured() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("plain", PlainServlet.class, "/plain")
                .initParam(TollgateConfig.ENABLED, "false")
                .initParam("tollgate.policy.pdfs.paths", "*.pdf")
                .initParam("tollgate.policy.pdfs.price", "2")
                .customize(ctx -> ctx.addEventListener(new TollgateRequired()))
                .start().close());
        String all = messages(e);
        assertTrue(all.contains("the context parameter tollgate.enabled is false, while context parameter"
                + " tollgate.policy.pdfs.* is priced or rate-limited"), all);
    }

    @Test
    void requiredLetsAnApplicationWithNothingPricedRunWithTollgateOff() throws Exception {
        try (TestServer server = TestServer.builder()
                .servlet("plain", PlainServlet.class, "/plain")
                .initParam(TollgateConfig.ENABLED, "false")
                .customize(ctx -> ctx.addEventListener(new TollgateRequired()))
                .start()) {
            assertEquals(200, server.get("/plain").statusCode());
        }
    }

    @Test
    void jarDeclaresTheFragmentListener() throws Exception {
        try (var in = TollgateFragmentListener.class.getResourceAsStream("/META-INF/web-fragment.xml")) {
            String xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(xml.contains("<name>" + TollgateInitializer.FRAGMENT_NAME + "</name>"), xml);
            assertTrue(xml.contains("<listener-class>" + TollgateFragmentListener.class.getName()
                    + "</listener-class>"), xml);
        }
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(" | ");
            for (Throwable s : c.getSuppressed()) {
                sb.append(messages(s));
            }
        }
        return sb.toString();
    }
}
