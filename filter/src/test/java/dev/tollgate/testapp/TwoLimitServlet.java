package dev.tollgate.testapp;

import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.temporal.ChronoUnit;

/**
 * A global limit and a per-client limit with two bandwidths, in two buckets: all admit or none.
 * The global bucket is checked first, so a per-client rejection must give its token back.
 */
@RateLimited(requests = 3, period = 1, unit = ChronoUnit.HOURS, key = KeyBy.GLOBAL, name = "global")
@RateLimited(requests = 2, period = 1, unit = ChronoUnit.SECONDS, key = KeyBy.HEADER, header = "X-Client", name = "burst")
@RateLimited(requests = 10, period = 1, unit = ChronoUnit.MINUTES, key = KeyBy.HEADER, header = "X-Client", name = "minute")
public class TwoLimitServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().write("ok");
    }
}
