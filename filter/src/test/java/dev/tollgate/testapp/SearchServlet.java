package dev.tollgate.testapp;

import dev.tollgate.annotations.RateLimited;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.temporal.ChronoUnit;

/** Free, 5 requests per 60 s per payer (per client IP without a key). */
@RateLimited(requests = 5, period = 60, unit = ChronoUnit.SECONDS)
public class SearchServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        resp.getWriter().write("{\"results\":[]}");
    }
}
