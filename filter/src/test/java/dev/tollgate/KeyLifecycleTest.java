package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.spi.KeyLookup;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 on the wire, with the in-memory ledger and an injected clock: an account is paid for with
 * its keys, never its id; an expired key, a rotated key after its grace period and a revoked key (once
 * Tollgate's cache of the key, {@value KeyLookup#CACHE_SECONDS} seconds, has run out) get exactly the
 * answer of a key nobody issued.
 */
class KeyLifecycleTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    private InMemoryLedger ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        ledger = InMemoryLedger.builder().clock(clock).build();
        ledger.openAccount("acct-a", Money.credits("100"), Set.of());
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).clock(clock).build();
        server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*").withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> quote(String key) throws Exception {
        return server.get("/quotes/ACME", "X-API-Key", key);
    }

    /** The refusal of a key nobody issued: status, content type and body. */
    private String unknownAnswer() throws Exception {
        return answer(quote("tg_live_" + "x".repeat(32)));
    }

    private static String answer(HttpResponse<String> r) {
        return r.statusCode() + " " + r.headers().firstValue("Content-Type").orElse("") + " " + r.body();
    }

    private BigDecimal balance() {
        return ledger.account("acct-a").orElseThrow().balance().amount();
    }

    @Test
    void theAccountPaysThroughItsKeysAndItsIdIsNoCredential() throws Exception {
        IssuedKey key = ledger.issueKey("acct-a", "server", null, true);
        assertEquals(200, quote(key.secret()).statusCode());
        assertEquals(0, new BigDecimal("99").compareTo(balance()));
        String unknown = unknownAnswer();
        assertEquals(unknown, answer(quote("acct-a")), "the account id is not a key");
        assertFalse(unknown.startsWith("200"), unknown);
        assertEquals(0, new BigDecimal("99").compareTo(balance()));
    }

    @Test
    void anExpiredKeyIsAnsweredLikeAnUnknownKeyFromItsExpiryOn() throws Exception {
        IssuedKey key = ledger.issueKey("acct-a", null, clock.instant().plus(Duration.ofHours(1)), true);
        assertEquals(200, quote(key.secret()).statusCode());
        clock.advance(Duration.ofMinutes(59));
        assertEquals(200, quote(key.secret()).statusCode());
        clock.advance(Duration.ofMinutes(1));
        String unknown = unknownAnswer();
        assertEquals(unknown, answer(quote(key.secret())), "expired: exactly as an unknown key");
        assertEquals(0, new BigDecimal("98").compareTo(balance()));
    }

    @Test
    void aRotatedKeyWorksForItsGracePeriodThenIsAnsweredLikeAnUnknownKey() throws Exception {
        IssuedKey old = ledger.issueKey("acct-a", "ci", null, true);
        assertEquals(200, quote(old.secret()).statusCode());
        IssuedKey fresh = ledger.rotateKey(old.key().id(), Duration.ofMinutes(10), true);
        assertEquals(200, quote(fresh.secret()).statusCode());
        clock.advance(Duration.ofMinutes(9));
        assertEquals(200, quote(old.secret()).statusCode(), "within the grace period");
        clock.advance(Duration.ofMinutes(1));
        String unknown = unknownAnswer();
        assertEquals(unknown, answer(quote(old.secret())), "after it");
        assertEquals(200, quote(fresh.secret()).statusCode());
        assertEquals(0, new BigDecimal("96").compareTo(balance()));
    }

    @Test
    void aRevokedKeyIsRefusedOnceTheCachedAnswerRunsOut() throws Exception {
        IssuedKey key = ledger.issueKey("acct-a", null, null, true);
        assertEquals(200, quote(key.secret()).statusCode());
        ledger.revokeKey(key.key().id());
        // The bound documented for several nodes: the answer for a key hash is trusted this long.
        clock.advance(Duration.ofSeconds(KeyLookup.CACHE_SECONDS));
        String unknown = unknownAnswer();
        assertEquals(unknown, answer(quote(key.secret())));
        assertEquals(0, new BigDecimal("99").compareTo(balance()));
    }
}
