package dev.tollgate;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.testapp.LimitFeatureServlets;
import dev.tollgate.testapp.SearchServlet;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.SwitchableLedger;
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

    /**
     * Issue 9 item 6: a key the ledger had not confirmed was counted in its client address's bucket
     * first, so anonymous traffic from one address (a NAT, an untrusted proxy) kept valid keys from
     * ever being looked up: 429 forever.
     */
    @Test
    void issue9AnonymousTrafficFromOneAddressDoesNotStarveValidKeys() throws Exception {
        SwitchableLedger counting = new SwitchableLedger(ledger());
        TollgateConfig config = TollgateConfig.builder().ledger(counting).clock(new MutableClock()).build();
        try (TestServer server = start(config, "search", SearchServlet.class, "/search")) {
            assertEquals(5, count(server, 6, "/search"), "the address's anonymous bucket is spent");
            assertEquals(429, server.get("/search").statusCode());

            HttpResponse<String> keyed = server.get("/search", "X-API-Key", "basic");
            assertEquals(200, keyed.statusCode(), keyed.body());
            assertEquals("\"payer-5-per-60s\";q=5;w=60", keyed.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertTrue(keyed.headers().firstValue("RateLimit").orElseThrow().startsWith("\"payer-5-per-60s\";r=4;"),
                    "the key's own bucket: " + keyed.headers().firstValue("RateLimit"));
            assertEquals(4, count(server, 5, "/search", "X-API-Key", "basic"), "then its own limit applies");
            assertEquals(200, server.get("/search", "X-API-Key", "gold").statusCode(), "another key, its own bucket");
            assertEquals(2, counting.accountLookups.get(), "one look-up per key");
            assertEquals(429, server.get("/search").statusCode(), "anonymous traffic is still limited");
        }
    }

    /**
     * Issue 9 item 6: with their own budget for look-ups, invented keys still reach the ledger
     * boundedly. Since review item 7 valid keys give their token back and an address with its budget
     * spent draws on the node's overflow, so the bound is the budget plus the overflow.
     */
    @Test
    void issue9InventedKeysReachTheLedgerABoundedNumberOfTimes() throws Exception {
        SwitchableLedger counting = new SwitchableLedger(ledger());
        MutableClock clock = new MutableClock();
        TollgateConfig config = TollgateConfig.builder().ledger(counting).clock(clock).build();
        try (TestServer server = start(config, "search", SearchServlet.class, "/search")) {
            assertEquals(200, server.get("/search", "X-API-Key", "gold").statusCode(), "gold is in use here");
            int budget = dev.tollgate.internal.RateLimiter.KEY_LOOKUPS_PER_MINUTE;
            int overflow = dev.tollgate.internal.RateLimiter.KEY_LOOKUP_OVERFLOW_PER_MINUTE;
            int flood = budget + overflow + 2 * budget;
            int unknown = 0;
            int limited = 0;
            HttpResponse<String> last = null;
            for (int i = 0; i < flood; i++) {
                last = server.get("/search", "X-API-Key", "invented-" + i);
                unknown += last.statusCode() == 401 ? 1 : 0;
                limited += last.statusCode() == 429 ? 1 : 0;
            }
            assertEquals(budget + overflow, unknown, "gold's look-up was given back; the invented keys spent both");
            assertEquals(2 * budget, limited);
            assertEquals(budget + overflow + 1, counting.accountLookups.get(),
                    "the ledger saw gold once and the invented keys one budget and one overflow, no more");
            assertEquals(List.of("key-lookups"), list(json(last).get("violated-policies")));
            assertEquals("\"key-lookups\";q=" + budget + ";w=60", last.headers().firstValue("RateLimit-Policy")
                    .orElseThrow());
            assertTrue(last.headers().firstValue("Retry-After").isPresent());

            assertEquals(401, server.get("/search", "X-API-Key", "invented-0").statusCode(),
                    "a key just found unknown is 401 again");
            assertEquals(budget + overflow + 1, counting.accountLookups.get(), "without asking the ledger");
            assertEquals(5, count(server, 5, "/search"), "anonymous requests keep their own limit meanwhile");
            assertEquals(200, server.get("/search", "X-API-Key", "gold").statusCode(), "confirmed: no look-up");

            // A minute later gold's confirmation has lapsed and both are full again; spend them all.
            clock.advance(java.time.Duration.ofSeconds(61));
            for (int i = 0; i < budget + overflow + 5; i++) {
                server.get("/search", "X-API-Key", "invented-again-" + i);
            }
            assertEquals(2 * (budget + overflow) + 1, counting.accountLookups.get());
            HttpResponse<String> waits = server.get("/search", "X-API-Key", "basic");
            assertEquals(429, waits.statusCode(), "the price of the bound: a flood that spends the overflow too"
                    + " (over a minute's worth at once) makes a key never seen here wait");
            assertEquals("1", waits.headers().firstValue("Retry-After").orElseThrow(), "the overflow refills first");
            assertEquals(200, server.get("/search", "X-API-Key", "gold").statusCode(),
                    "a key confirmed in the last minutes is confirmed again without the budget");
            assertEquals(2 * (budget + overflow) + 2, counting.accountLookups.get());
            clock.advance(java.time.Duration.ofSeconds(1));
            assertEquals(200, server.get("/search", "X-API-Key", "basic").statusCode(), "a second later it is in");
        }
    }

    /** A ledger with {@code n} funded accounts {@code key-0} ... and a counter of its look-ups. */
    private static SwitchableLedger manyKeys(int n) {
        InMemoryLedger.Builder accounts = InMemoryLedger.builder();
        for (int i = 0; i < n; i++) {
            accounts.account("key-" + i, Money.credits("100"));
        }
        return new SwitchableLedger(accounts.build());
    }

    /**
     * Review item 7: the look-up budget was spent by valid keys too, so behind an untrusted proxy
     * (every client one address) only 30 new keys a minute could be confirmed for the whole service.
     */
    @Test
    void item7ValidKeysSpendNoLookupBudget() throws Exception {
        int budget = dev.tollgate.internal.RateLimiter.KEY_LOOKUPS_PER_MINUTE;
        SwitchableLedger counting = manyKeys(3 * budget);
        TollgateConfig config = TollgateConfig.builder().ledger(counting).clock(new MutableClock()).build();
        try (TestServer server = start(config, "search", SearchServlet.class, "/search")) {
            for (int i = 0; i < 3 * budget; i++) {
                HttpResponse<String> r = server.get("/search", "X-API-Key", "key-" + i);
                assertEquals(200, r.statusCode(), "new key " + i + " at the same instant: " + r.body());
            }
            assertEquals(3 * budget, counting.accountLookups.get(), "one look-up per key");
        }
    }

    /**
     * Review item 7: a budget's worth of invented keys from one address (or a steady one every 2 s)
     * kept every key not yet confirmed there out with 429, for as long as they came.
     */
    @Test
    void item7InventedKeysFromOneAddressDoNotKeepANewValidKeyOut() throws Exception {
        int budget = dev.tollgate.internal.RateLimiter.KEY_LOOKUPS_PER_MINUTE;
        SwitchableLedger counting = manyKeys(20);
        MutableClock clock = new MutableClock();
        TollgateConfig config = TollgateConfig.builder().ledger(counting).clock(clock).build();
        try (TestServer server = start(config, "search", SearchServlet.class, "/search")) {
            for (int i = 0; i < budget; i++) {
                assertEquals(401, server.get("/search", "X-API-Key", "invented-" + i).statusCode(), "invented " + i);
            }
            HttpResponse<String> fresh = server.get("/search", "X-API-Key", "key-0");
            assertEquals(200, fresh.statusCode(), "a key never seen here: " + fresh.body());
            assertEquals("\"payer-5-per-60s\";q=5;w=60", fresh.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertTrue(fresh.headers().firstValue("RateLimit").orElseThrow().startsWith("\"payer-5-per-60s\";r=4;"),
                    "its own limit: " + fresh.headers().firstValue("RateLimit"));
            // Then an invented key every 2 s (the budget's refill) for 5 minutes: a new valid key every
            // 30 s still gets in.
            int invented = budget;
            int valid = 1;
            for (int s = 1; s <= 150; s++) {
                clock.advance(java.time.Duration.ofSeconds(2));
                assertEquals(401, server.get("/search", "X-API-Key", "steady-" + s).statusCode(), "steady " + s);
                invented++;
                if (s % 15 == 0) {
                    HttpResponse<String> r = server.get("/search", "X-API-Key", "key-" + valid);
                    assertEquals(200, r.statusCode(), "new key at " + 2 * s + " s: " + r.body());
                    valid++;
                }
            }
            assertEquals(invented + valid, counting.accountLookups.get(), "one look-up per key, no more");
        }
    }

    /**
     * A confirmed key is vouched for (spends no look-up budget) for 15 minutes after its last use,
     * also when that use found it known and so did not write the cache again: the paid path renews
     * the vouched entry only when it writes the known one (one cache read per request fewer).
     */
    @Test
    void aKeyStaysVouchedFor15MinutesAfterItsLastUse() throws Exception {
        int budget = dev.tollgate.internal.RateLimiter.KEY_LOOKUPS_PER_MINUTE
                + dev.tollgate.internal.RateLimiter.KEY_LOOKUP_OVERFLOW_PER_MINUTE;
        SwitchableLedger counting = manyKeys(1);
        MutableClock clock = new MutableClock();
        TollgateConfig config = TollgateConfig.builder().ledger(counting).clock(clock).build();
        try (TestServer server = start(config, "search", SearchServlet.class, "/search")) {
            assertEquals(200, server.get("/search", "X-API-Key", "key-0").statusCode(), "confirmed at 0 s");
            clock.advance(java.time.Duration.ofSeconds(50));
            assertEquals(200, server.get("/search", "X-API-Key", "key-0").statusCode(), "last used at 50 s, known");
            clock.advance(java.time.Duration.ofMinutes(14).plusSeconds(55)); // 14 min 55 s after the last use
            // Invented keys from the same address spend its look-up budget and the node's overflow.
            for (int i = 0; i < budget; i++) {
                assertEquals(401, server.get("/search", "X-API-Key", "invented-" + i).statusCode(), "invented " + i);
            }
            assertEquals(429, server.get("/search", "X-API-Key", "invented-last").statusCode(), "budgets spent");
            HttpResponse<String> vouched = server.get("/search", "X-API-Key", "key-0");
            assertEquals(200, vouched.statusCode(), "still vouched for: " + vouched.body());
        }
    }
}
