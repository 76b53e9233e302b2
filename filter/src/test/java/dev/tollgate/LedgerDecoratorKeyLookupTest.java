package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.KeyLookup;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * A ledger decorator that forwards {@link Ledger#keyLookup()} keeps keys apart from accounts; one that
 * does not is named in a start-up warning, because its account ids become credentials.
 */
class LedgerDecoratorKeyLookupTest {

    /** What an application writes to log or meter ledger calls: delegates the Ledger SPI. */
    record Decorated(Ledger d, Optional<KeyLookup> keys) implements Ledger {
        Decorated(Ledger d, boolean forwardKeys) {
            this(d, forwardKeys ? d.keyLookup() : Optional.empty());
        }

        public Reservation reserve(Charge c) {
            return d.reserve(c);
        }

        public Settlement commit(Hold h, RecordedResponse r) {
            return d.commit(h, r);
        }

        public Settlement release(Hold h) {
            return d.release(h);
        }

        public Optional<Account> account(String id) {
            return d.account(id);
        }

        @Override
        public Optional<KeyLookup> keyLookup() {
            return keys;
        }
    }

    private static int[] statuses(Ledger configured, List<LogRecord> log) throws Exception {
        Logger jul = Logger.getLogger("dev.tollgate.internal.PayerIdentification");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                log.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        TollgateConfig config = TollgateConfig.builder().ledger(configured).build();
        try (TestServer server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start()) {
            return new int[] {server.get("/quotes/ACME", "X-API-Key", "acct_public_id").statusCode(),
                    server.get("/quotes/ACME", "X-API-Key", "real-secret-key-123").statusCode()};
        } finally {
            jul.removeHandler(capture);
        }
    }

    private static InMemoryLedger ledger() {
        InMemoryLedger ledger = InMemoryLedger.builder().build();
        ledger.openAccount("acct_public_id", Money.credits("100"), Set.of());
        ledger.importKey("acct_public_id", "real-secret-key-123", "k", null);
        return ledger;
    }

    private static boolean warned(List<LogRecord> log) {
        return log.stream().anyMatch(r -> r.getLevel() == Level.WARNING
                && r.getParameters() != null && List.of(r.getParameters()).contains(Decorated.class.getName()));
    }

    @Test
    void aDecoratorForwardingKeyLookupPaysByKeyAndRefusesTheAccountId() throws Exception {
        List<LogRecord> log = new CopyOnWriteArrayList<>();
        int[] s = statuses(new Decorated(ledger(), true), log);
        assertEquals(401, s[0], "an account id is never a credential");
        assertEquals(200, s[1], "the key pays");
        assertTrue(!warned(log), "no warning: " + log);
    }

    @Test
    void aLedgerWithoutKeyLookupIsNamedInOneWarning() throws Exception {
        List<LogRecord> log = new CopyOnWriteArrayList<>();
        int[] s = statuses(new Decorated(ledger(), false), log);
        assertEquals(200, s[0], "as documented: without a key look-up, the credential is the account id");
        assertTrue(warned(log), "a warning names the ledger: " + log);
        assertEquals(1, log.stream().filter(r -> r.getLevel() == Level.WARNING).count(), "one warning");
    }

    @Test
    void aKeyRecordOfAnotherHashIsNotBelieved() throws Exception {
        List<LogRecord> log = new CopyOnWriteArrayList<>();
        // A key look-up that answers every hash with the record of one real key: a broken or hostile store.
        InMemoryLedger ledger = ledger();
        KeyLookup real = ledger.keyLookup().orElseThrow();
        KeyLookup lying = hash -> real.findKey(dev.tollgate.spi.ApiKey.hash("real-secret-key-123"));
        int[] s = statuses(new Decorated(ledger, Optional.of(lying)), log);
        assertEquals(401, s[0], "a key whose hash the record does not carry pays nothing, twice over: "
                + "not on the first request (looked up) nor when cached");
        assertEquals(200, s[1], "the real key still pays");
    }
}
