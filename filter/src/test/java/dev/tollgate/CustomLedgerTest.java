package dev.tollgate;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.ledger.BalanceLedger;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Balances;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Ledgers written by users, behind the filter on a real server: their 402s say how to pay like the built-ins'. */
class CustomLedgerTest {

    @Test
    void aCustomLedgersDenialWithoutOptionsStillOffersTheAccountScheme() throws Exception {
        // A hand-written ledger that refuses for missing funds and, like most would, lists no payment option.
        Ledger broke = new Ledger() {
            @Override
            public Reservation reserve(Charge charge) {
                return new Reservation.Denied(DenialReason.INSUFFICIENT_FUNDS, charge.price(), Money.credits("0"), null,
                        List.of());
            }

            @Override
            public Settlement commit(Hold hold, RecordedResponse response) {
                throw new AssertionError("nothing was held");
            }

            @Override
            public Settlement release(Hold hold) {
                throw new AssertionError("nothing was held");
            }

            @Override
            public Optional<Account> account(String id) {
                return Optional.of(new Account(id, Money.credits("0"), Set.of()));
            }
        };
        try (TestServer server = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, broke).start()) {
            HttpResponse<String> r = server.get("/quotes/ACME", "X-API-Key", "k-broke");
            assertEquals(402, r.statusCode(), r::body);
            Map<String, Object> p = json(r);
            assertEquals("https://tollgate.dev/problems/insufficient-funds", p.get("type"));
            assertNotNull(p.get("payment-options"), () -> "a 402 says how to pay: " + r.body());
            List<Object> options = list(p.get("payment-options"));
            assertEquals(1, options.size(), r.body());
            @SuppressWarnings("unchecked")
            Map<String, Object> option = (Map<String, Object>) options.get(0);
            assertEquals("account", option.get("scheme"));
        }
    }

    @Test
    void aBalanceLedgerChargesBillableCallsCreditsBackFailedOnesAndOffersHowToPay() throws Exception {
        Map<String, Money> credits = new ConcurrentHashMap<>(Map.of("k-user", Money.credits("6")));
        Balances balances = new Balances() {
            @Override
            public Optional<Account> account(String id) {
                return Optional.ofNullable(credits.get(id)).map(m -> new Account(id, m, Set.of()));
            }

            @Override
            public boolean debit(String id, Money amount, String reference) {
                boolean[] taken = new boolean[1];
                credits.computeIfPresent(id, (k, m) -> (taken[0] = m.covers(amount)) ? m.minus(amount) : m);
                return taken[0];
            }

            @Override
            public void credit(String id, Money amount, String reference) {
                credits.computeIfPresent(id, (k, m) -> m.plus(amount));
            }
        };
        try (TestServer server = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, BalanceLedger.builder(balances).build()).start()) {
            assertEquals(200, server.get("/reports/monthly", "X-API-Key", "k-user").statusCode());
            assertEquals(Money.credits("1"), credits.get("k-user"), "5 credits charged");

            credits.put("k-user", Money.credits("6"));
            HttpResponse<String> failed = server.get("/reports/monthly?status=503", "X-API-Key", "k-user");
            assertEquals(503, failed.statusCode());
            assertEquals(Money.credits("6"), credits.get("k-user"), "an unbillable outcome is credited back");

            credits.put("k-user", Money.credits("4"));
            HttpResponse<String> refused = server.get("/reports/monthly", "X-API-Key", "k-user");
            assertEquals(402, refused.statusCode(), refused::body);
            @SuppressWarnings("unchecked")
            Map<String, Object> option = (Map<String, Object>) list(json(refused).get("payment-options")).get(0);
            assertEquals("account", option.get("scheme"));
            assertEquals(Money.credits("4"), credits.get("k-user"), "nothing taken");
        }
    }
}
