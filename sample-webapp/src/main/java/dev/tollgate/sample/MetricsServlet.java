package dev.tollgate.sample;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /admin/metrics}: Tollgate's meters (see {@code docs/metrics.md}) in the Prometheus text
 * format 0.0.4, for a Prometheus server to scrape or an operator to read. Behind the admin check
 * ({@link AdminAuth}): the key in {@code X-Admin-Key} or as the Basic password.
 */
@WebServlet(name = "admin-metrics", urlPatterns = "/admin/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The Prometheus text exposition format this servlet writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!AdminAuth.admit(req, resp)) {
            return;
        }
        Object registry = getServletContext().getAttribute(DemoSetup.PROMETHEUS_ATTRIBUTE);
        if (!(registry instanceof PrometheusMeterRegistry prometheus)) {
            Json.problem(resp, 503, "Service Unavailable", "Metrics are not set up.");
            return;
        }
        byte[] body = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType(CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
