package dev.tollgate;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.testapp.LimitFeatureServlets;
import dev.tollgate.testapp.SearchServlet;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/** Plans, shadow limits, count modes, custom keys, trusted proxies and header styles, on local buckets. */
class RateLimitFeaturesTest {

    private static InMemoryLedger ledger() {
        return InMemoryLedger.builder()
                .account("gold", Money.credits("100"), "premium")
                .account("basic", Money.credits("100"))
                .build();
    }

    private static TestServer start(TollgateConfig config, String name, Class<? extends Servlet> type, String mapping)
            throws Exception {
        return TestServer.builder().servlet(name, type, mapping).withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    private static int count(TestServer server, int times, String path, String... headers) throws Exception {
        int ok = 0;
        for (int i = 0; i < times; i++) {
            ok += server.get(path, headers).statusCode() == 200 ? 1 : 0;
        }
        return ok;
    }

    @Test
    void premiumHoldersGetTheirOwnLimit() throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).build();
        try (TestServer server = start(config, "plans", LimitFeatureServlets.Plans.class, "/plans")) {
            assertEquals(2, count(server, 5, "/plans", "X-API-Key", "basic"));
            assertEquals(5, count(server, 5, "/plans", "X-API-Key", "gold"));
            HttpResponse<String> r = server.get("/plans", "X-API-Key", "gold");
            assertEquals("\"premium\";q=20;w=60", r.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertTrue(r.headers().firstValue("RateLimit").orElseThrow().startsWith("\"premium\";r=14;"));
            assertEquals(2, count(server, 5, "/plans"), "anonymous: the default limit, by address");
        }
    }

    @Test
    void aShadowLimitReportsButNeverRefuses() throws Exception {
        List<RateLimitListener.Exceeded> events = new CopyOnWriteArrayList<>();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).rateLimitListener(new RateLimitListener() {
            @Override
            public void limitExceeded(Exceeded event) {
                events.add(event);
            }
        }).build();
        try (TestServer server = start(config, "shadow", LimitFeatureServlets.Shadow.class, "/shadow")) {
            assertEquals(5, count(server, 5, "/shadow"), "never refused");
            HttpResponse<String> r = server.get("/shadow");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("RateLimit").orElseThrow().contains("\"trial\";r=0;"),
                    r.headers().firstValue("RateLimit").orElseThrow());
            assertEquals(4, events.size(), "requests 3 to 6 exceeded the shadow limit");
            assertTrue(events.get(0).shadow());
            assertEquals(List.of("trial"), events.get(0).policies());
            Tollgate t = Tollgate.from(server.context().getServletContext()).orElseThrow();
            assertEquals(4, t.rateLimitStats().shadowExceeded());
        }
    }

    @Test
    void onlyFailuresCountWhenAskedTo() throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).build();
        try (TestServer server = start(config, "login", LimitFeatureServlets.Login.class, "/login")) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, server.send("POST", "/login?password=secret", "").statusCode(),
                        "successful logins do not count");
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(401, server.send("POST", "/login?password=guess", "").statusCode());
            }
            HttpResponse<String> r = server.send("POST", "/login?password=secret", "");
            assertEquals(429, r.statusCode(), "three failures exhaust the limit, for everyone from the address");
        }
    }

    /** Regression (review): refusals after the limit check (402 here) kept their tokens under Count.SUCCESSES. */
    @Test
    void refusalsDoNotCountAsSuccesses() throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).build();
        try (TestServer server = start(config, "paid", LimitFeatureServlets.PaidSuccesses.class, "/paid")) {
            for (int i = 0; i < 4; i++) {
                assertEquals(402, server.get("/paid").statusCode(), "no key: 402, not counted");
            }
            assertEquals(2, count(server, 3, "/paid", "X-API-Key", "basic"), "two successes a minute");
            Tollgate t = Tollgate.from(server.context().getServletContext()).orElseThrow();
            assertEquals(6, t.rateLimitStats().admitted(), "one admission per request, provisional checks aside");
        }
    }

    @Test
    void aCustomResolverPicksTheKey() throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger()).build();
        try (TestServer server = start(config, "tenants", LimitFeatureServlets.Tenants.class, "/tenants")) {
            assertEquals(2, count(server, 4, "/tenants", "X-Tenant", "acme"));
            assertEquals(2, count(server, 4, "/tenants", "X-Tenant", "globex"));
            assertEquals(2, count(server, 4, "/tenants"), "no tenant: counted by client address");
        }
    }

    @Test
    void forwardingHeadersAreIgnoredUnlessThePeerIsATrustedProxy() throws Exception {
        TollgateConfig untrusting = TollgateConfig.builder().ledger(ledger()).build();
        try (TestServer server = start(untrusting, "addr", LimitFeatureServlets.ByAddress.class, "/addr")) {
            assertEquals(2, count(server, 2, "/addr", "X-Forwarded-For", "203.0.113.1"));
            assertEquals(429, server.get("/addr", "X-Forwarded-For", "203.0.113.2").statusCode(),
                    "a forged X-Forwarded-For buys no fresh bucket");
            assertEquals(429, server.get("/addr", "Forwarded", "for=203.0.113.3").statusCode());
        }
        TollgateConfig trusting = TollgateConfig.builder().ledger(ledger()).trustedProxies("127.0.0.1, ::1").build();
        try (TestServer server = start(trusting, "addr", LimitFeatureServlets.ByAddress.class, "/addr")) {
            assertEquals(2, count(server, 3, "/addr", "X-Forwarded-For", "198.51.100.7, 203.0.113.1"));
            assertEquals(2, count(server, 3, "/addr", "X-Forwarded-For", "203.0.113.2"), "another client, own bucket");
            assertEquals(429, server.get("/addr", "X-Forwarded-For", "203.0.113.2", "Forwarded", "for=192.0.2.9")
                    .statusCode(), "a Forwarded header the proxy does not write is ignored");
        }
        TollgateConfig rfc7239 = TollgateConfig.builder().ledger(ledger()).trustedProxies("127.0.0.1, ::1")
                .forwardedHeader(true).build();
        try (TestServer server = start(rfc7239, "addr", LimitFeatureServlets.ByAddress.class, "/addr")) {
            assertEquals(2, count(server, 3, "/addr", "Forwarded", "for=\"[2001:db8::1]:4711\""));
            assertEquals(0, count(server, 3, "/addr", "Forwarded", "for=\"[2001:db8::2]\""),
                    "IPv6 clients are counted by their /64: the same network, the same (spent) bucket");
        }
    }

    @Test
    void legacyHeadersOrNone() throws Exception {
        TollgateConfig legacy = TollgateConfig.builder().ledger(ledger())
                .rateLimitHeaders(TollgateConfig.HeaderStyle.LEGACY).build();
        try (TestServer server = start(legacy, "search", SearchServlet.class, "/search")) {
            HttpResponse<String> r = server.get("/search");
            assertEquals("5", r.headers().firstValue("X-RateLimit-Limit").orElseThrow());
            assertEquals("4", r.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
            assertTrue(Long.parseLong(r.headers().firstValue("X-RateLimit-Reset").orElseThrow()) > 0);
            assertTrue(r.headers().firstValue("RateLimit").isEmpty());
        }
        TollgateConfig none = TollgateConfig.builder().ledger(ledger())
                .rateLimitHeaders(TollgateConfig.HeaderStyle.NONE).build();
        try (TestServer server = start(none, "search", SearchServlet.class, "/search")) {
            assertEquals(5, count(server, 5, "/search"));
            HttpResponse<String> limited = server.get("/search");
            assertEquals(429, limited.statusCode());
            assertTrue(limited.headers().firstValue("RateLimit").isEmpty());
            assertTrue(limited.headers().firstValue("X-RateLimit-Remaining").isEmpty());
            assertTrue(limited.headers().firstValue("Retry-After").isPresent(), "Retry-After always");
            assertEquals(List.of("payer-5-per-60s"), list(json(limited).get("violated-policies")));
        }
    }
}
