package dev.tollgate;

import static dev.tollgate.testing.Problem.decimal;
import static dev.tollgate.testing.Problem.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.testapp.PremiumServlet;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
}
