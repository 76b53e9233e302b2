package dev.tollgate.testapp;

import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.temporal.ChronoUnit;

/** Two buckets with different tokens per request, to check what a refusal gives back. */
@RateLimited(requests = 10, period = 1, unit = ChronoUnit.HOURS, key = KeyBy.HEADER, header = "X-Client", tokens = 5,
        name = "client")
@RateLimited(requests = 1, period = 1, unit = ChronoUnit.SECONDS, key = KeyBy.GLOBAL, name = "global")
public class TokensServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().write("ok");
    }
}
