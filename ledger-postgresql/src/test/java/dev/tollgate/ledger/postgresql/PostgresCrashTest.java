package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.testing.Postgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node dies (SIGKILL) between reserve and commit: its hold must expire and the money return
 * exactly once, through the sweeper of a node that lives on.
 */
class PostgresCrashTest {

    @Test
    void aHoldOfAKilledNodeExpiresAndItsMoneyReturnsOnce() throws Exception {
        Postgres.Server server = Postgres.server();
        String schema = Postgres.uniqueSchema();
        HikariDataSource pool = server.pool(4);
        PostgresLedger survivor = PostgresLedger.builder(pool).schema(schema).createSchema(true)
                .sweepInterval(Duration.ofMillis(200)).build();
        Process node = null;
        try {
            survivor.openAccount("payer", Money.credits("100"), Set.of());
            survivor.importKey("payer", "payer-account-key", null, null); // accounts and keys are apart (issue 12)
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            node = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LedgerNode.class.getName(),
                    server.url(), server.user(), server.password(), schema)
                    .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("target", "ledger-node.log").toFile())).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String line;
            URI endpoint = null;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("URI ")) {
                    endpoint = URI.create(line.substring(4).strip());
                    break;
                }
            }
            assertTrue(endpoint != null, "the node did not start; see target/ledger-node.log");

            // A paid request that the node will never finish.
            HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(endpoint).header("X-API-Key", "payer-account-key").build(),
                    HttpResponse.BodyHandlers.discarding());
            awaitCondition(() -> survivor.openHoldCount() == 1, "the hold to be placed");
            assertEquals(Money.credits("93"), survivor.account("payer").orElseThrow().balance());

            node.destroyForcibly();
            assertTrue(node.waitFor(10, TimeUnit.SECONDS));

            // The node's 2 s hold times out; the survivor's sweeper gives the money back.
            awaitCondition(() -> survivor.openHoldCount() == 0, "the hold to expire");
            assertEquals(Money.credits("100"), survivor.account("payer").orElseThrow().balance());
            assertEquals(0, survivor.expireOverdueHolds());
            List<LedgerEntry> entries = survivor.statement("payer", Instant.EPOCH, Instant.MAX, 100);
            assertEquals(1, entries.stream().filter(e -> e.kind() == LedgerEntry.Kind.EXPIRY).count(),
                    "the money came back exactly once");
            assertEquals(Money.credits("100"), survivor.account("payer").orElseThrow().balance());
        } finally {
            if (node != null) {
                node.destroyForcibly();
            }
            survivor.close();
            Postgres.dropSchema(pool, schema);
            pool.close();
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void awaitCondition(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
