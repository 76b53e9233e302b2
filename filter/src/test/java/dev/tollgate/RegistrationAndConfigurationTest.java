package dev.tollgate;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Rendering;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testapp.SearchServlet;
import dev.tollgate.testapp.TwoLimitServlet;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/** How the filter gets registered and configured, and what start-up refuses. */
class RegistrationAndConfigurationTest {

    /** A server whose only filter is a programmatically configured Tollgate. */
    private static TestServer startWith(TollgateConfig config, String name,
                                        Class<? extends jakarta.servlet.Servlet> type, String mapping) throws Exception {
        return TestServer.builder().servlet(name, type, mapping).withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    private static InMemoryLedger ledger() {
        return InMemoryLedger.builder().account("gold", Money.credits("100")).build();
    }

    @Test
    void webXmlStyleDeclarationIsNotRegisteredTwice() throws Exception {
        InMemoryLedger ledger = ledger();
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .customize(ctx -> ctx.addFilter(new FilterHolder(TollgateFilter.class), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start()) {
            assertEquals(1, server.context().getServletHandler().getFilters().length, "the initializer saw the declaration");
            assertEquals(402, server.get("/quotes/x").statusCode());
            assertEquals(200, server.get("/quotes/x", "X-API-Key", "gold").statusCode());
            assertEquals(Money.credits("99"), ledger.account("gold").orElseThrow().balance());
        }
    }

    @Test
    void aSecondFilterInstanceChargesNothingMore() throws Exception {
        InMemoryLedger ledger = ledger();
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .initParam(TollgateConfig.AUTO_REGISTER, "false")
                .customize(ctx -> {
                    ctx.addFilter(new FilterHolder(new TollgateFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
                    ctx.addFilter(new FilterHolder(new TollgateFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
                })
                .start()) {
            assertEquals(200, server.get("/quotes/x", "X-API-Key", "gold").statusCode());
            assertEquals(Money.credits("99"), ledger.account("gold").orElseThrow().balance());
        }
    }

    @Test
    void programmaticConfigurationWithAutoRegistrationOff() throws Exception {
        InMemoryLedger ledger = ledger();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).apiKeyHeader("X-Key").build();
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.AUTO_REGISTER, "false")
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start()) {
            assertEquals(200, server.get("/quotes/x", "X-Key", "gold").statusCode());
            assertEquals(1, server.context().getServletHandler().getFilters().length);
        }
    }

    @Test
    void autoRegistrationOffMeansNoFilter() throws Exception {
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.AUTO_REGISTER, "false")
                .start()) {
            assertEquals(0, server.context().getServletHandler().getFilters().length);
        }
    }

    @Test
    void disabledTollgateLetsEverythingThrough() throws Exception {
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.ENABLED, "false")
                .start()) {
            assertEquals(200, server.get("/quotes/x").statusCode());
            assertEquals(0, server.context().getServletHandler().getFilters().length);
        }
    }

    @Test
    void accountsResourceSeedsTheInMemoryLedger() throws Exception {
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.ACCOUNTS, "classpath:test-accounts.properties")
                .start()) {
            assertEquals(200, server.get("/quotes/x", "X-API-Key", "silver").statusCode());
            Tollgate t = Tollgate.from(server.context().getServletContext()).orElseThrow();
            assertEquals(Money.credits("19"), t.ledger().account("silver").orElseThrow().balance());
        }
    }

    @Test
    void customRendererReplacesTheBodyButNotTheProtocolHeaders() throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).renderer((denial, request) ->
                new Rendering(denial.status(), "text/html;charset=utf-8",
                        ("<h1>" + denial.kind().title() + "</h1>").getBytes(StandardCharsets.UTF_8),
                        List.of(Map.entry("X-Pay-Here", "https://example.com/pay"),
                                Map.entry("Cache-Control", "public, max-age=60")))).build();
        try (TestServer server = startWith(config, "quotes", QuoteServlet.class, "/quotes/*")) {
            HttpResponse<String> r = server.get("/quotes/x");
            assertEquals(402, r.statusCode());
            assertEquals("<h1>Payment required</h1>", r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
            assertEquals("https://example.com/pay", r.headers().firstValue("X-Pay-Here").orElseThrow());
            assertEquals(List.of("no-store"), r.headers().allValues("Cache-Control"), "denials are never cached");
        }
    }

    @Test
    void aThrowingRendererFallsBackToProblemDetails() throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).renderer((d, r) -> {
            throw new IllegalStateException("broken renderer");
        }).build();
        try (TestServer server = startWith(config, "quotes", QuoteServlet.class, "/quotes/*")) {
            HttpResponse<String> r = server.get("/quotes/x");
            assertEquals(402, r.statusCode());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void rateLimitHeadersFollowTheBucketAsTimePasses() throws Exception {
        MutableClock clock = new MutableClock();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).clock(clock).build();
        try (TestServer server = startWith(config, "search", SearchServlet.class, "/search")) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, server.get("/search", "X-API-Key", "gold").statusCode());
            }
            HttpResponse<String> limited = server.get("/search", "X-API-Key", "gold");
            assertEquals(429, limited.statusCode());
            assertEquals("12", limited.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(new State(0, 60), State.of(limited));

            clock.advance(Duration.ofSeconds(5));
            HttpResponse<String> still = server.get("/search", "X-API-Key", "gold");
            assertEquals("7", still.headers().firstValue("Retry-After").orElseThrow(), "counts down with the clock");
            assertEquals(new State(0, 55), State.of(still));

            clock.advance(Duration.ofMillis(6_500));
            HttpResponse<String> roundedUp = server.get("/search", "X-API-Key", "gold");
            assertEquals(429, roundedUp.statusCode());
            assertEquals("1", roundedUp.headers().firstValue("Retry-After").orElseThrow(), "0.5 s rounds up to 1");

            clock.advance(Duration.ofMillis(500));
            HttpResponse<String> admitted = server.get("/search", "X-API-Key", "gold");
            assertEquals(200, admitted.statusCode());
            assertEquals(new State(0, 60), State.of(admitted));

            clock.advance(Duration.ofSeconds(60));
            assertEquals(new State(4, 12), State.of(server.get("/search", "X-API-Key", "gold")));
        }
    }

    /** The r and t parameters of a RateLimit field with one item. */
    record State(long r, long t) {
        private static final Pattern ITEM = Pattern.compile("\"([^\"]+)\";r=(\\d+);t=(\\d+)");

        static State of(HttpResponse<String> response) {
            String field = response.headers().firstValue("RateLimit").orElseThrow();
            Matcher m = ITEM.matcher(field);
            assertTrue(m.matches(), field);
            return new State(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
        }
    }

    @Test
    void severalBucketsAdmitTogetherOrNotAtAll() throws Exception {
        MutableClock clock = new MutableClock();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).clock(clock).build();
        try (TestServer server = startWith(config, "two", TwoLimitServlet.class, "/two")) {
            HttpResponse<String> first = server.get("/two", "X-Client", "a");
            assertEquals("\"global\";q=3;w=3600, \"burst\";q=2;w=1, \"minute\";q=10;w=60",
                    first.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertEquals(200, server.get("/two", "X-Client", "a").statusCode());
            HttpResponse<String> burst = server.get("/two", "X-Client", "a");
            assertEquals(429, burst.statusCode());
            assertEquals(List.of("burst"), list(json(burst).get("violated-policies")));
            // The global token taken before the burst limit refused was given back:
            assertEquals(200, server.get("/two", "X-Client", "b").statusCode());
            HttpResponse<String> global = server.get("/two", "X-Client", "c");
            assertEquals(429, global.statusCode());
            assertEquals(List.of("global"), list(json(global).get("violated-policies")));
        }
    }

    /** Regression (review): a refused bucket gave back the refusing bucket's tokens, not each bucket's own. */
    @Test
    void aRefusalGivesEachBucketBackItsOwnTokens() throws Exception {
        MutableClock clock = new MutableClock();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).clock(clock).build();
        try (TestServer server = startWith(config, "tokens", dev.tollgate.testapp.TokensServlet.class, "/tokens")) {
            assertEquals(200, server.get("/tokens", "X-Client", "a").statusCode()); // client 10 -> 5, global 1 -> 0
            assertEquals(429, server.get("/tokens", "X-Client", "a").statusCode()); // client 5 -> 0 -> back to 5
            clock.advance(Duration.ofSeconds(1));
            HttpResponse<String> r = server.get("/tokens", "X-Client", "a");
            assertEquals(200, r.statusCode(), "the client bucket got its 5 tokens back: " + r.body());
        }
    }

    /** Regression (review): when a request outlived its hold, the result was delivered for nothing. */
    @Test
    void aRequestThatOutlivesItsHoldIsRefusedNotDeliveredFree() throws Exception {
        MutableClock clock = new MutableClock();
        dev.tollgate.testapp.LongServlet.clock = clock;
        InMemoryLedger ledger = InMemoryLedger.builder().clock(clock).holdTimeout(Duration.ofMinutes(1))
                .account("gold", Money.credits("100")).build();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).build();
        try (TestServer server = startWith(config, "long", dev.tollgate.testapp.LongServlet.class, "/long")) {
            HttpResponse<String> late = server.get("/long?minutes=2", "X-API-Key", "gold");
            assertEquals(503, late.statusCode());
            assertTrue(late.body().contains("outlived"), late.body());
            assertEquals(Money.credits("100"), ledger.account("gold").orElseThrow().balance());
            assertEquals(200, server.get("/long?minutes=0", "X-API-Key", "gold").statusCode());
            assertEquals(Money.credits("98"), ledger.account("gold").orElseThrow().balance());
        }
    }

    // ------------------------------------------------------------------ start-up failures

    static class BadPrice extends HttpServlet {
        @Override
        @RequiresPayment(price = "-1")
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    @Test
    void anInvalidAnnotationFailsTheDeploymentNamingTheCulprit() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("bad", BadPrice.class, "/bad").start().close());
        String all = messages(e);
        assertTrue(all.contains(BadPrice.class.getName() + ".doGet") && all.contains("price"), all);
    }

    @Test
    void anUnknownParameterFailsTheDeployment() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam("tollgate.billableStatus", "2xx").start().close());
        assertTrue(messages(e).contains("tollgate.billableStatus"), messages(e));
    }

    @Test
    void aBadParameterValueFailsTheDeployment() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.BILLABLE_STATUSES, "2xx,7xx").start().close());
        assertTrue(messages(e).contains(TollgateConfig.BILLABLE_STATUSES) && messages(e).contains("7xx"), messages(e));
    }

    @Test
    void aMissingLedgerClassFailsTheDeployment() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.LEDGER, "com.example.NoSuchLedger").start().close());
        assertTrue(messages(e).contains("com.example.NoSuchLedger"), messages(e));
    }

    @Test
    void theRuntimeIsAvailableToEndpoints() throws Exception {
        try (TestServer server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger()).start()) {
            Tollgate t = Tollgate.from(server.context().getServletContext()).orElseThrow();
            assertNotNull(t.ledger().account("gold").orElseThrow());
            assertEquals("2xx", t.config().billableStatuses());
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
