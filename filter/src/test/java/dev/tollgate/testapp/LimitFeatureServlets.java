package dev.tollgate.testapp;

import dev.tollgate.annotations.Count;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.RateLimitKeyResolver;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.temporal.ChronoUnit;

/** Servlets for the rate-limit features: plans, shadow limits, count modes, custom keys, client addresses. */
public final class LimitFeatureServlets {

    private LimitFeatureServlets() {
    }

    private static void ok(HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write("ok");
    }

    /** 2 a minute for everyone, 20 for premium holders. */
    @RateLimited(requests = 2, period = 1, unit = ChronoUnit.MINUTES)
    @RateLimited(requests = 20, period = 1, unit = ChronoUnit.MINUTES, entitlement = "premium", name = "premium")
    public static class Plans extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }

    /** An enforced limit of 100 and a shadow limit of 2 being tried out. */
    @RateLimited(requests = 100, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.CLIENT_IP, name = "current")
    @RateLimited(requests = 2, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.CLIENT_IP, shadow = true, name = "trial")
    public static class Shadow extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }

    /** Three failed logins a minute per address; successful ones do not count. */
    public static class Login extends HttpServlet {
        @Override
        @RateLimited(requests = 3, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.CLIENT_IP, count = Count.FAILURES)
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (!"secret".equals(req.getParameter("password"))) {
                resp.sendError(401);
                return;
            }
            ok(resp);
        }
    }

    /** A paid endpoint whose limit counts only successful calls. */
    public static class PaidSuccesses extends HttpServlet {
        @Override
        @dev.tollgate.annotations.RequiresPayment(price = "1")
        @RateLimited(requests = 2, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.CLIENT_IP, count = Count.SUCCESSES)
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }

    /** Two a minute per tenant, as the resolver says. */
    @RateLimited(requests = 2, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.CUSTOM, resolver = TenantKey.class)
    public static class Tenants extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }

    /** Two a minute per client address. */
    @RateLimited(requests = 2, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.CLIENT_IP)
    public static class ByAddress extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain");
            resp.getWriter().write(req.getRemoteAddr());
        }
    }

    /** The tenant of a request (a test stand-in for one taken from a verified token). */
    public static class TenantKey implements RateLimitKeyResolver {
        @Override
        public String key(HttpServletRequest request, Payer payer) {
            return request.getHeader("X-Tenant");
        }
    }
}
