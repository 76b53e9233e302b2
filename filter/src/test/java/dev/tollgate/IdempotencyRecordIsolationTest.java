package dev.tollgate;

import static dev.tollgate.testing.Problem.decimal;
import static dev.tollgate.testing.Problem.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.BalanceLedger;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.testapp.PremiumServlet;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.MapBalances;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 9, item 2): the in-memory ledger bounded idempotency records globally and
 * evicted the oldest, so one entitled account sending free requests with fresh keys evicted every
 * other account's records, and a victim's retry of a paid POST ran and was charged a second time.
 * Bounds here are the smallest the builder allows, so the flood is short.
 */
class IdempotencyRecordIsolationTest {

    private InMemoryLedger memory;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        // 1 MiB in all, so each account's share is 64 KiB: about a hundred small records.
        memory = InMemoryLedger.builder().replayMemory(1024 * 1024).maxReplayRecords(1000)
                .account("victim", Money.credits("100"))
                .account("attacker", Money.credits("0"), "premium")
                .build();
        server = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("premium", PremiumServlet.class, "/premium")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, memory)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void anotherAccountsFloodOfKeysIsRefusedAndNeverEvictsTheVictimsRecord() throws Exception {
        int runs = ReportServlet.POSTS.get();
        HttpResponse<String> paid = server.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "victim",
                "Idempotency-Key", "order-7", "Content-Type", "application/json");
        assertEquals(201, paid.statusCode(), paid::body);
        assertEquals(Money.credits("90"), memory.account("victim").orElseThrow().balance());

        HttpResponse<String> refused = null;
        int admitted = 0;
        for (int i = 0; i < 1100 && refused == null; i++) {
            HttpResponse<String> r = server.get("/premium", "X-API-Key", "attacker", "Idempotency-Key", "flood-" + i);
            if (r.statusCode() == 200) {
                admitted++;
            } else {
                refused = r;
            }
        }

        HttpResponse<String> retry = server.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "victim",
                "Idempotency-Key", "order-7", "Content-Type", "application/json");
        assertEquals(201, retry.statusCode(), retry::body);
        assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""), "a replay, not a rerun");
        assertEquals(paid.body(), retry.body());
        assertEquals(runs + 1, ReportServlet.POSTS.get(), "the endpoint ran once");
        assertEquals(Money.credits("90"), memory.account("victim").orElseThrow().balance(), "charged once");
        List<LedgerEntry.Kind> kinds = memory.statement("victim", Instant.EPOCH, Instant.MAX, 100).stream()
                .map(LedgerEntry::kind).toList();
        assertEquals(List.of(LedgerEntry.Kind.OPEN, LedgerEntry.Kind.HOLD, LedgerEntry.Kind.COMMIT), kinds);

        assertNotNull(refused, "a flood of 1,100 fresh keys from one account was never refused");
        assertEquals(429, refused.statusCode(), refused::body);
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", refused.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        Map<String, Object> problem = json(refused);
        assertEquals("https://tollgate.dev/problems/idempotency-records-exhausted", problem.get("type"));
        assertEquals(429, decimal(problem.get("status")).intValue());
        assertTrue(admitted > 50, "the attacker's own share is usable: " + admitted);
        assertEquals(200, server.get("/premium", "X-API-Key", "attacker").statusCode(),
                "without an Idempotency-Key the attacker is still served");

        HttpResponse<String> next = server.send("POST", "/reports", "{\"order\":8}", "X-API-Key", "victim",
                "Idempotency-Key", "order-8", "Content-Type", "application/json");
        assertEquals(201, next.statusCode(), "the victim's own share is untouched: " + next.body());
    }

    /**
     * Review of issue 9, item 1: 17 accounts each filled their share and, with their 16 shares
     * adding up to the whole store, every other account's first keyed request got 503 for about
     * 24 hours. Now shares leave headroom, and reply bodies have their own budget in which the
     * accounts holding the most lose their bodies first: their retries are answered 409
     * already-processed (charged once, not run again), while the others keep theirs. Small bounds,
     * so the attack is short: 1 MiB of records (32 KiB per account) and 1 MiB of bodies.
     */
    @Test
    void seventeenAccountsFillingTheirSharesLeaveTheOthersServedAndLoseTheirOwnBodiesFirst() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        InMemoryLedger.Builder b = InMemoryLedger.builder().clock(clock).replayMemory(1024 * 1024)
                .replayBodyMemory(1024 * 1024).account("victim", Money.credits("100"))
                .account("newcomer", Money.credits("100"));
        for (int a = 0; a < 17; a++) {
            b.account("heavy" + a, Money.credits("1000"), "premium");
        }
        InMemoryLedger ledger = b.build();
        try (TestServer attacked = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("premium", PremiumServlet.class, "/premium")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .start()) {
            HttpResponse<String> paid = attacked.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "victim",
                    "Idempotency-Key", "order-7", "Content-Type", "application/json");
            assertEquals(201, paid.statusCode(), paid::body);
            clock.advance(Duration.ofHours(1));

            // Each heavy account: two paid POSTs with 100 KB replies, then fresh keys until refused.
            String big = "{\"pad\":\"" + "x".repeat(100_000) + "\"}";
            int runs = ReportServlet.POSTS.get();
            List<HttpResponse<String>> refusals = new java.util.ArrayList<>();
            for (int a = 0; a < 17; a++) {
                for (int n = 0; n < 2; n++) {
                    HttpResponse<String> r = attacked.send("POST", "/reports", big, "X-API-Key", "heavy" + a,
                            "Idempotency-Key", "big-" + n, "Content-Type", "application/json");
                    assertEquals(201, r.statusCode(), r::body);
                }
                HttpResponse<String> refused = null;
                for (int i = 0; i < 400 && refused == null; i++) {
                    HttpResponse<String> r = attacked.get("/premium", "X-API-Key", "heavy" + a,
                            "Idempotency-Key", "flood-" + i);
                    if (r.statusCode() != 200) {
                        refused = r;
                    }
                }
                assertNotNull(refused, "heavy" + a + " was never refused");
                refusals.add(refused);
            }
            assertEquals(runs + 34, ReportServlet.POSTS.get());

            // Everyone else is still served with Idempotency-Key: the victim's old reply is replayed
            // whole, and an account that never sent a key before gets its first one.
            HttpResponse<String> replay = attacked.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "victim",
                    "Idempotency-Key", "order-7", "Content-Type", "application/json");
            assertEquals(201, replay.statusCode(), replay::body);
            assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(""));
            assertEquals(paid.body(), replay.body(), "the victim's body was not dropped");
            HttpResponse<String> first = attacked.send("POST", "/reports", "{\"order\":1}", "X-API-Key",
                    "newcomer", "Idempotency-Key", "order-1", "Content-Type", "application/json");
            assertEquals(201, first.statusCode(), first::body);
            HttpResponse<String> again = attacked.send("POST", "/reports", "{\"order\":1}", "X-API-Key",
                    "newcomer", "Idempotency-Key", "order-1", "Content-Type", "application/json");
            assertEquals(first.body(), again.body());
            assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
            assertEquals(Money.credits("90"), ledger.account("victim").orElseThrow().balance());
            assertEquals(Money.credits("90"), ledger.account("newcomer").orElseThrow().balance());

            // The heavy accounts' big bodies went first; their retries are never run or charged again.
            int before = ReportServlet.POSTS.get();
            HttpResponse<String> retry = attacked.send("POST", "/reports", big, "X-API-Key", "heavy0",
                    "Idempotency-Key", "big-0", "Content-Type", "application/json");
            assertEquals(409, retry.statusCode(), retry::body);
            assertEquals("https://tollgate.dev/problems/already-processed", json(retry).get("type"));
            assertEquals(before, ReportServlet.POSTS.get(), "not run again");
            assertEquals(Money.credits("980"), ledger.account("heavy0").orElseThrow().balance(), "charged once");

            // Each heavy account was stopped by its own share (429), not by a full store (503).
            for (HttpResponse<String> refused : refusals) {
                assertEquals(429, refused.statusCode(), refused::body);
                assertEquals("https://tollgate.dev/problems/idempotency-records-exhausted",
                        json(refused).get("type"));
                assertEquals(Long.toString(Duration.ofHours(24).toSeconds()),
                        refused.headers().firstValue("Retry-After").orElseThrow(),
                        "the heavy accounts' oldest records are from the same instant");
            }
        }
    }

    /**
     * Review of issue 9, item 2: the 429 always said Retry-After 24 hours; it now says when the
     * payer's oldest record ends its retention, and a retry then is served.
     */
    @Test
    void recordsExhaustedRetryAfterIsWhenThePayersOldestRecordExpires() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        InMemoryLedger ledger = InMemoryLedger.builder().clock(clock).replayMemory(1024 * 1024)
                .replayMemoryPerAccount(16 * 1024).account("payer", Money.credits("100"), "premium").build();
        try (TestServer s = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("premium", PremiumServlet.class, "/premium")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .start()) {
            assertEquals(201, s.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "payer",
                    "Idempotency-Key", "order-7", "Content-Type", "application/json").statusCode());
            clock.advance(Duration.ofHours(5));
            HttpResponse<String> refused = null;
            for (int i = 0; i < 200 && refused == null; i++) {
                HttpResponse<String> r = s.get("/premium", "X-API-Key", "payer", "Idempotency-Key", "k-" + i);
                if (r.statusCode() != 200) {
                    refused = r;
                }
            }
            assertNotNull(refused, "a 16 KiB share was never used up");
            assertEquals(429, refused.statusCode(), refused::body);
            assertEquals("https://tollgate.dev/problems/idempotency-records-exhausted", json(refused).get("type"));
            assertEquals(Long.toString(Duration.ofHours(19).toSeconds()),
                    refused.headers().firstValue("Retry-After").orElseThrow(),
                    "the payer's oldest record (5 hours old) ends in 19 hours");
            clock.advance(Duration.ofHours(19));
            assertEquals(200, s.get("/premium", "X-API-Key", "payer", "Idempotency-Key", "then").statusCode(),
                    "served at the announced time");
        }
    }

    /**
     * Review of issue 9 (second round): the same attack against a {@link BalanceLedger}, whose
     * in-memory store kept the old bookkeeping (bodies in the record budget, sixteenth shares):
     * the newcomer's first keyed request got 503 idempotency-store-full for a whole retention. It
     * now shares {@link InMemoryLedger}'s bookkeeping, with the same outcome for users.
     */
    @Test
    void balanceLedgerSeventeenAccountsFillingTheirSharesLeaveTheOthersServed() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        MapBalances balances = new MapBalances();
        balances.put("victim", Money.credits("100"), Set.of());
        balances.put("newcomer", Money.credits("100"), Set.of());
        for (int a = 0; a < 17; a++) {
            balances.put("heavy" + a, Money.credits("1000"), Set.of("premium"));
        }
        BalanceLedger ledger = BalanceLedger.builder(balances).clock(clock).replayMemory(1024 * 1024)
                .replayBodyMemory(1024 * 1024).build();
        try (TestServer attacked = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("premium", PremiumServlet.class, "/premium")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .start()) {
            HttpResponse<String> paid = attacked.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "victim",
                    "Idempotency-Key", "order-7", "Content-Type", "application/json");
            assertEquals(201, paid.statusCode(), paid::body);
            clock.advance(Duration.ofHours(1));

            String big = "{\"pad\":\"" + "x".repeat(100_000) + "\"}";
            int runs = ReportServlet.POSTS.get();
            List<HttpResponse<String>> refusals = new java.util.ArrayList<>();
            for (int a = 0; a < 17; a++) {
                for (int n = 0; n < 2; n++) {
                    HttpResponse<String> r = attacked.send("POST", "/reports", big, "X-API-Key", "heavy" + a,
                            "Idempotency-Key", "big-" + n, "Content-Type", "application/json");
                    assertEquals(201, r.statusCode(), r::body);
                }
                HttpResponse<String> refused = null;
                for (int i = 0; i < 400 && refused == null; i++) {
                    HttpResponse<String> r = attacked.get("/premium", "X-API-Key", "heavy" + a,
                            "Idempotency-Key", "flood-" + i);
                    if (r.statusCode() != 200) {
                        refused = r;
                    }
                }
                assertNotNull(refused, "heavy" + a + " was never refused");
                refusals.add(refused);
            }
            assertEquals(runs + 34, ReportServlet.POSTS.get());

            HttpResponse<String> first = attacked.send("POST", "/reports", "{\"order\":1}", "X-API-Key",
                    "newcomer", "Idempotency-Key", "order-1", "Content-Type", "application/json");
            assertEquals(201, first.statusCode(), first::body);
            HttpResponse<String> again = attacked.send("POST", "/reports", "{\"order\":1}", "X-API-Key",
                    "newcomer", "Idempotency-Key", "order-1", "Content-Type", "application/json");
            assertEquals(first.body(), again.body());
            assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
            HttpResponse<String> replay = attacked.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "victim",
                    "Idempotency-Key", "order-7", "Content-Type", "application/json");
            assertEquals(201, replay.statusCode(), replay::body);
            assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(""));
            assertEquals(paid.body(), replay.body(), "the victim's body was not dropped");
            assertEquals(Money.credits("90"), balances.account("victim").orElseThrow().balance());
            assertEquals(Money.credits("90"), balances.account("newcomer").orElseThrow().balance());

            int before = ReportServlet.POSTS.get();
            HttpResponse<String> retry = attacked.send("POST", "/reports", big, "X-API-Key", "heavy0",
                    "Idempotency-Key", "big-0", "Content-Type", "application/json");
            assertEquals(409, retry.statusCode(), retry::body);
            assertEquals("https://tollgate.dev/problems/already-processed", json(retry).get("type"));
            assertEquals(before, ReportServlet.POSTS.get(), "not run again");
            assertEquals(Money.credits("980"), balances.account("heavy0").orElseThrow().balance(), "charged once");

            for (HttpResponse<String> refused : refusals) {
                assertEquals(429, refused.statusCode(), refused::body);
                assertEquals("https://tollgate.dev/problems/idempotency-records-exhausted",
                        json(refused).get("type"));
                assertEquals(Long.toString(Duration.ofHours(24).toSeconds()),
                        refused.headers().firstValue("Retry-After").orElseThrow(),
                        "the heavy accounts' oldest records are from the same instant");
            }
        }
    }

    /**
     * Review of issue 9, item 2, against a {@link BalanceLedger}: its 429 said Retry-After 24 hours
     * (the retention) whatever the age of the payer's oldest record.
     */
    @Test
    void balanceLedgerRecordsExhaustedRetryAfterIsWhenThePayersOldestRecordExpires() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        MapBalances balances = new MapBalances();
        balances.put("payer", Money.credits("100"), Set.of("premium"));
        BalanceLedger ledger = BalanceLedger.builder(balances).clock(clock).replayMemory(1024 * 1024)
                .replayMemoryPerAccount(16 * 1024).build();
        try (TestServer s = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("premium", PremiumServlet.class, "/premium")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .start()) {
            assertEquals(201, s.send("POST", "/reports", "{\"order\":7}", "X-API-Key", "payer",
                    "Idempotency-Key", "order-7", "Content-Type", "application/json").statusCode());
            clock.advance(Duration.ofHours(5));
            HttpResponse<String> refused = null;
            for (int i = 0; i < 200 && refused == null; i++) {
                HttpResponse<String> r = s.get("/premium", "X-API-Key", "payer", "Idempotency-Key", "k-" + i);
                if (r.statusCode() != 200) {
                    refused = r;
                }
            }
            assertNotNull(refused, "a 16 KiB share was never used up");
            assertEquals(429, refused.statusCode(), refused::body);
            assertEquals(Long.toString(Duration.ofHours(19).toSeconds()),
                    refused.headers().firstValue("Retry-After").orElseThrow(),
                    "the payer's oldest record (5 hours old) ends in 19 hours");
            clock.advance(Duration.ofHours(19));
            assertEquals(200, s.get("/premium", "X-API-Key", "payer", "Idempotency-Key", "then").statusCode(),
                    "served at the announced time");
        }
    }
}
