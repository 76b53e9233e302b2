package dev.tollgate.x402;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/** The endpoints of the x402 tests. */
final class TestServlets {

    /** How many times an endpoint body ran. */
    static final AtomicInteger RUNS = new AtomicInteger();

    private TestServlets() {
    }

    /** x402 only, 0.01 USDC; {@code ?fail=true} throws; {@code ?status=404} answers that status. */
    @RequiresPayment(price = "0.01", currency = "USDC", description = "A forecast", schemes = "x402")
    public static class Forecast extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            RUNS.incrementAndGet();
            if ("true".equals(req.getParameter("fail"))) {
                throw new IllegalStateException("failed on purpose");
            }
            if (req.getParameter("status") != null) {
                resp.sendError(Integer.parseInt(req.getParameter("status")));
                return;
            }
            resp.setContentType("application/json");
            resp.getWriter().write("{\"outlook\":\"sunny\",\"run\":" + RUNS.get() + "}");
        }
    }

    /** An API key (1 credit) or x402 (0.001 USDC). */
    @RequiresPayment(price = "1", description = "A quote", schemes = {"account", "x402"})
    @X402(price = "0.001")
    public static class Quote extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            RUNS.incrementAndGet();
            resp.setContentType("application/json");
            resp.getWriter().write("{\"price\":12.5}");
        }
    }

    /** Requires a payment-identifier. */
    @RequiresPayment(price = "0.01", currency = "USDC", schemes = "x402")
    @X402(paymentIdentifierRequired = true)
    public static class Order extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            int run = RUNS.incrementAndGet();
            resp.setContentType("application/json");
            resp.getWriter().write("{\"order\":" + run + "}");
        }
    }

    /** Not priced: the same answer as {@link Forecast}, for a baseline. */
    public static class Plain extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("application/json");
            resp.getWriter().write("{\"outlook\":\"sunny\",\"run\":" + RUNS.incrementAndGet() + "}");
        }
    }

    /** Priced in a currency x402 cannot pay without its own price. */
    @RequiresPayment(price = "3", schemes = "x402")
    public static class Unpriceable extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            RUNS.incrementAndGet();
        }
    }
}
