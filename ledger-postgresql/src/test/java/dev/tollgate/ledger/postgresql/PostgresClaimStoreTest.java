package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.payment.ClaimStore;
import dev.tollgate.testing.Postgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL ledger's claim store against a real PostgreSQL, in a schema of its own: one claim
 * wins among concurrent ones on separate ledgers (nodes), spent claims keep their response, lapsed
 * claims are taken again, releases free only claims in progress.
 */
class PostgresClaimStoreTest {

    private HikariDataSource pool;
    private String schema;
    private PostgresLedger nodeA;
    private PostgresLedger nodeB;
    private final Instant now = Instant.parse("2026-12-01T12:00:00Z");

    @BeforeEach
    void start() {
        pool = Postgres.server().pool(24);
        schema = Postgres.uniqueSchema();
        nodeA = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        nodeB = PostgresLedger.builder(pool).schema(schema).sweepInterval(Duration.ZERO).build();
    }

    @AfterEach
    void stop() throws Exception {
        nodeA.close();
        nodeB.close();
        Postgres.dropSchema(pool, schema);
        pool.close();
    }

    @Test
    void oneOfManyConcurrentClaimsOnTwoNodesWins() throws Exception {
        ClaimStore a = nodeA.claimStore().orElseThrow();
        ClaimStore b = nodeB.claimStore().orElseThrow();
        ExecutorService threads = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ClaimStore.Claim>> claims = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ClaimStore store = i % 2 == 0 ? a : b;
            claims.add(threads.submit((Callable<ClaimStore.Claim>) () -> {
                go.await();
                return store.claim("auth:payer:nonce", "d1", now, now.plusSeconds(60));
            }));
        }
        go.countDown();
        int won = 0;
        for (Future<ClaimStore.Claim> f : claims) {
            ClaimStore.Claim c = f.get();
            if (c.claimed()) {
                won++;
            } else {
                assertEquals(ClaimStore.State.IN_PROGRESS, c.state());
            }
        }
        threads.shutdown();
        assertEquals(1, won);
    }

    @Test
    void aSpentClaimKeepsItsResponseAndALapsedOneIsTakenAgain() {
        ClaimStore a = nodeA.claimStore().orElseThrow();
        assertTrue(a.claim("pid:x", "d1", now, now.plusSeconds(60)).claimed());
        RecordedResponse r = new RecordedResponse(200, List.of(Map.entry("Content-Type", "application/json")),
                "{\"ok\":1}".getBytes(StandardCharsets.UTF_8), true);
        a.spend("pid:x", r, now.plusSeconds(3600));
        ClaimStore.Claim again = nodeB.claimStore().orElseThrow().claim("pid:x", "d2", now, now.plusSeconds(60));
        assertFalse(again.claimed());
        assertEquals(ClaimStore.State.SPENT, again.state());
        assertEquals("d1", again.digest());
        assertEquals(r, again.response());
        assertTrue(a.claim("pid:x", "d2", now.plusSeconds(3600), now.plusSeconds(7200)).claimed(), "lapsed");
    }

    @Test
    void releaseFreesOnlyClaimsInProgressAndUnknownStaysTaken() {
        ClaimStore a = nodeA.claimStore().orElseThrow();
        assertTrue(a.claim("k1", "d", now, now.plusSeconds(60)).claimed());
        a.release("k1");
        assertTrue(a.claim("k1", "d", now, now.plusSeconds(60)).claimed());
        a.unknown("k1");
        a.release("k1");
        ClaimStore.Claim c = a.claim("k1", "d", now, now.plusSeconds(60));
        assertFalse(c.claimed());
        assertEquals(ClaimStore.State.UNKNOWN, c.state());
        assertNull(c.response());
        a.spend("k1", null, now.plusSeconds(60));
        a.release("k1");
        assertEquals(ClaimStore.State.SPENT, a.claim("k1", "d", now, now.plusSeconds(60)).state());
    }
}
