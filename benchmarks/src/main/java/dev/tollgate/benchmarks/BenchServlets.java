package dev.tollgate.benchmarks;

import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.temporal.ChronoUnit;

/**
 * The endpoints the benchmarks call: free, rate-limited, paid (and limited), and easily exhausted;
 * as servlets (for the filter) and as resource methods (for {@code Engine.policyFor}, as the Jakarta
 * REST adapter asks).
 */
final class BenchServlets {

    private BenchServlets() {
    }

    /** No annotations: Tollgate lets it through. */
    static class Free extends HttpServlet {
        private static final long serialVersionUID = 1L;
    }

    /** A limit that is never reached (a billion a second), keyed by client address. */
    @RateLimited(requests = 1_000_000_000L, period = 1, unit = ChronoUnit.SECONDS, key = KeyBy.CLIENT_IP)
    static class Limited extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    /** 1 credit, and the same never-reached limit, keyed by payer. */
    @RequiresPayment(price = "1")
    @RateLimited(requests = 1_000_000_000L, period = 1, unit = ChronoUnit.SECONDS)
    static class Paid extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    /** One request a day: every call after the first is a 429. */
    @RateLimited(requests = 1, period = 1, unit = ChronoUnit.DAYS, key = KeyBy.GLOBAL)
    static class Exhausted extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    /**
     * The limited and paid policies on resource methods, for benchmarks that call the engine API
     * directly: the same annotations as {@link Limited} and {@link Paid}.
     */
    static class Resource {

        /** As {@link Limited}. */
        @RateLimited(requests = 1_000_000_000L, period = 1, unit = ChronoUnit.SECONDS, key = KeyBy.CLIENT_IP)
        public void limited() {
        }

        /** As {@link Paid}. */
        @RequiresPayment(price = "1")
        @RateLimited(requests = 1_000_000_000L, period = 1, unit = ChronoUnit.SECONDS)
        public void paid() {
        }
    }
}
