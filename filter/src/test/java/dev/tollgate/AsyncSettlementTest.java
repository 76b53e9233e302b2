package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testapp.DispatchingServlet;
import dev.tollgate.testing.RawHttp;
import dev.tollgate.testing.SwitchableLedger;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 9, item 3 and S1, S4, S6: asynchronous requests and response framing. The client
 * gets every byte the endpoint wrote, is charged only for a response it was sent, and a timeout
 * never ends in a charge for an error page.
 */
class AsyncSettlementTest {

    /** Goes async; its own listener answers a fallback on timeout ({@code ?size=} chars, default "fallback"). */
    @RequiresPayment(price = "2")
    public static class TimeoutFallback extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            int size = req.getParameter("size") == null ? -1 : Integer.parseInt(req.getParameter("size"));
            boolean viaStarted = "true".equals(req.getParameter("viaStarted"));
            AsyncContext ac = req.startAsync();
            ac.setTimeout(200);
            ac.addListener(new AsyncListener() {
                @Override
                public void onTimeout(AsyncEvent e) throws IOException {
                    HttpServletResponse r = (HttpServletResponse) e.getAsyncContext().getResponse();
                    r.setContentType("text/plain");
                    r.getWriter().write(size < 0 ? "fallback" : "f".repeat(size));
                    // The context startAsync() returned, or the one the container hands the listener.
                    (viaStarted ? ac : e.getAsyncContext()).complete();
                }

                @Override
                public void onComplete(AsyncEvent e) {
                }

                @Override
                public void onError(AsyncEvent e) {
                }

                @Override
                public void onStartAsync(AsyncEvent e) {
                }
            });
        }
    }

    /** Writes 100 KB on another thread right away, then completes; times out after 200 ms. */
    @RequiresPayment(price = "3")
    public static class SlowSettlement extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            AsyncContext ac = req.startAsync();
            ac.setTimeout(200);
            CompletableFuture.runAsync(() -> {
                try {
                    resp.setContentType("text/plain");
                    resp.getOutputStream().write("r".repeat(100_000).getBytes());
                    ac.complete();
                } catch (IOException | IllegalStateException e) {
                    // the container gave the request up
                }
            });
        }
    }

    /** Writes its result, then completes through the AsyncContext of the unwrapped request. */
    @RequiresPayment(price = "5")
    public static class UnwrappedComplete extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            req.startAsync();
            AsyncContext raw = ((jakarta.servlet.ServletRequestWrapper) req).getRequest().getAsyncContext();
            CompletableFuture.runAsync(() -> {
                try {
                    resp.setContentType("text/plain");
                    resp.getWriter().write("result");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    raw.complete();
                }
            });
        }
    }

    /** Declares a Content-Length, then writes that many chars through the writer ({@code ?n=}). */
    @RequiresPayment(price = "1")
    public static class DeclaredLength extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            int n = Integer.parseInt(req.getParameter("n"));
            resp.setContentType("text/plain;charset=UTF-8");
            resp.setContentLength(n);
            resp.getWriter().write("w".repeat(n));
        }
    }

    /** Writes "abc", flushes, writes "defgh" (GET and HEAD). */
    @RequiresPayment(price = "1")
    public static class FlushInTheMiddle extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain");
            resp.getOutputStream().write("abc".getBytes());
            resp.flushBuffer();
            resp.getOutputStream().write("defgh".getBytes());
        }
    }

    private static Money balance(InMemoryLedger ledger) {
        return ledger.account("gold").orElseThrow().balance();
    }

    private static InMemoryLedger gold() {
        return InMemoryLedger.builder().account("gold", Money.credits("1000")).build();
    }

    /**
     * The filter declared for REQUEST only (the {@code web.xml} default): the ASYNC dispatch does not
     * pass the filter. The dispatched result used to be held until a settlement that came after the
     * response had closed: 200 with an empty body, charged.
     */
    @Test
    void anAsyncDispatchTheFilterDoesNotSeeStillDeliversTheResultItCharges() throws Exception {
        InMemoryLedger memory = gold();
        SwitchableLedger ledger = new SwitchableLedger(memory);
        try (TestServer s = TestServer.builder().withoutInitializer()
                .servlet("dispatching", DispatchingServlet.class, "/dispatching")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .customize(c -> c.addFilter(TollgateFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST)))
                .start()) {
            HttpResponse<String> r = s.get("/dispatching", "X-API-Key", "gold");
            assertEquals(200, r.statusCode());
            assertEquals("dispatched result", r.body());
            ledger.awaitSettlements(1);
            assertEquals(Money.credits("996"), balance(memory));

            ledger.failCommit = true;
            HttpResponse<String> failed = s.get("/dispatching", "X-API-Key", "gold");
            assertEquals(503, failed.statusCode(), failed.body());
            assertTrue(!failed.body().contains("dispatched result"), failed.body());
            assertEquals(Money.credits("996"), balance(memory));
            assertEquals(0, memory.openHoldCount());
        }
    }

    /** The application's own onTimeout answers a fallback: it reaches the client, uncharged. */
    @Test
    void theFallbackOfAnApplicationTimeoutListenerReachesTheClientUncharged() throws Exception {
        InMemoryLedger memory = gold();
        SwitchableLedger ledger = new SwitchableLedger(memory);
        try (TestServer s = TestServer.builder().servlet("t", TimeoutFallback.class, "/t")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger).start()) {
            for (String query : new String[] {"", "?viaStarted=true", "?size=100000", "?size=100000&viaStarted=true"}) {
                HttpResponse<String> r = s.get("/t" + query, "X-API-Key", "gold");
                assertEquals(200, r.statusCode(), query);
                assertEquals(query.contains("size") ? "f".repeat(100_000) : "fallback", r.body(), query);
                ledger.awaitSettlements(1);
                assertEquals(Money.credits("1000"), balance(memory), "a timeout releases the hold: " + query);
                assertEquals(0, memory.openHoldCount());
            }
        }
    }

    /**
     * A timeout that fires while the first bytes are being charged: the client either gets the
     * result it was charged for, or an error it was not charged for; never a charged error page.
     */
    @Test
    void aTimeoutRacingTheChargeNeverEndsInAChargedErrorPage() throws Exception {
        InMemoryLedger memory = gold();
        SlowCommits ledger = new SlowCommits(memory);
        try (TestServer s = TestServer.builder().servlet("slow", SlowSettlement.class, "/slow")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger).start()) {
            String head;
            try (Socket socket = RawHttp.get(s.uri("/slow"), "X-API-Key", "gold", "Connection", "close")) {
                InputStream in = socket.getInputStream();
                head = RawHttp.readHead(in);
                RawHttp.readUntilClosed(in);
            }
            Thread.sleep(1500); // the slow commit (1 s) ends
            Money balance = balance(memory);
            assertEquals(0, memory.openHoldCount());
            if (balance.equals(Money.credits("997"))) {
                assertTrue(head.startsWith("HTTP/1.1 200"), "charged, so the result must have been sent: " + head);
            } else {
                assertEquals(Money.credits("1000"), balance);
                assertTrue(!head.startsWith("HTTP/1.1 200"), head);
            }
        }
    }

    /**
     * Completed around Tollgate's AsyncContext: the body Tollgate held never reached the client, so
     * the request must not be charged (it used to be: 200, empty body, 5 credits).
     */
    @Test
    void aResponseCompletedWhileItsBodyIsHeldIsNotCharged() throws Exception {
        InMemoryLedger memory = gold();
        SwitchableLedger ledger = new SwitchableLedger(memory);
        try (TestServer s = TestServer.builder().servlet("raw", UnwrappedComplete.class, "/raw")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger).start()) {
            HttpResponse<String> r = s.get("/raw", "X-API-Key", "gold");
            ledger.awaitSettlements(1);
            assertEquals(Money.credits("1000"), balance(memory), r.statusCode() + " '" + r.body() + "'");
            assertEquals(0, memory.openHoldCount());
        }
    }

    /** S1: a declared Content-Length of writer output larger than the container's buffer is kept. */
    @Test
    void aDeclaredContentLengthOfWriterOutputIsKept() throws Exception {
        try (TestServer s = TestServer.builder().servlet("len", DeclaredLength.class, "/len")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, gold()).start()) {
            HttpResponse<String> r = s.get("/len?n=100000", "X-API-Key", "gold", "Idempotency-Key", "len-1");
            assertEquals(200, r.statusCode());
            assertEquals(100_000, r.body().length());
            assertEquals(Optional.of("100000"), r.headers().firstValue("Content-Length"));
            assertEquals(Optional.empty(), r.headers().firstValue("Transfer-Encoding"));
        }
    }

    /** S6: HEAD with an Idempotency-Key and a flush records the whole length; its replay says the same. */
    @Test
    void aReplayedHeadReportsTheLengthOfTheWholeBody() throws Exception {
        try (TestServer s = TestServer.builder().servlet("flush", FlushInTheMiddle.class, "/flush")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, gold()).start()) {
            HttpResponse<String> get = s.get("/flush", "X-API-Key", "gold");
            assertEquals("abcdefgh", get.body());
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> head = s.send("HEAD", "/flush", null, "X-API-Key", "gold",
                        "Idempotency-Key", "head-1");
                assertEquals(200, head.statusCode());
                assertEquals(Optional.of("8"), head.headers().firstValue("Content-Length"), "attempt " + i);
            }
        }
    }

    /** Delegates to a real ledger; each commit takes a second. */
    static final class SlowCommits implements Ledger {
        private final Ledger delegate;

        SlowCommits(Ledger delegate) {
            this.delegate = delegate;
        }

        @Override
        public Reservation reserve(Charge charge) {
            return delegate.reserve(charge);
        }

        @Override
        public Settlement commit(Hold hold, RecordedResponse response) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.commit(hold, response);
        }

        @Override
        public Settlement release(Hold hold) {
            return delegate.release(hold);
        }

        @Override
        public Optional<Account> account(String accountId) {
            return delegate.account(accountId);
        }
    }
}
