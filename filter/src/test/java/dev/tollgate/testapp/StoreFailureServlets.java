package dev.tollgate.testapp;

import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.StoreFailure;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.temporal.ChronoUnit;

/** Three requests a minute per X-Client header, with each policy for a failing shared store. */
public final class StoreFailureServlets {

    private StoreFailureServlets() {
    }

    private static void ok(HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write("ok");
    }

    @RateLimited(requests = 3, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.HEADER, header = "X-Client",
            onStoreFailure = StoreFailure.OPEN)
    public static class Open extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }

    @RateLimited(requests = 3, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.HEADER, header = "X-Client",
            onStoreFailure = StoreFailure.CLOSED)
    public static class Closed extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }

    /** A shadow limit whose store policy says CLOSED: it still must never refuse. */
    @RateLimited(requests = 3, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.HEADER, header = "X-Client",
            onStoreFailure = StoreFailure.CLOSED, shadow = true)
    public static class ShadowClosed extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }

    @RateLimited(requests = 3, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.HEADER, header = "X-Client",
            onStoreFailure = StoreFailure.LOCAL)
    public static class Local extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ok(resp);
        }
    }
}
