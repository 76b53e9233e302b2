package dev.tollgate.sample;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/reports/{id}} (5 credits) and {@code POST /api/reports} (10 credits): one servlet,
 * priced per method. {@code ?fail=true} makes the GET throw, to show that a failure charges nothing.
 * POST honours {@code Idempotency-Key}: a retry gets the first answer and is not charged again.
 */
@WebServlet(name = "reports", urlPatterns = {"/api/reports", "/api/reports/*"})
public class ReportsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final AtomicLong ids = new AtomicLong(1000);

    @Override
    @RequiresPayment(price = "5", description = "One report")
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        String id = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
        if (!id.matches("[A-Za-z0-9-]{1,40}")) {
            Json.badRequest(req, resp, "Ask for /api/reports/{id}, where id is 1 to 40 letters, digits or dashes.");
            return;
        }
        Map<String, String[]> parameters = Json.parameters(req, resp);
        if (parameters == null) {
            return;
        }
        if ("true".equals(Json.first(parameters, "fail"))) {
            throw new ServletException("Report " + id + " failed to render (requested with ?fail=true)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("title", "Quarterly report " + id);
        body.put("pages", 12);
        Json.write(resp, 200, body);
    }

    @Override
    @RequiresPayment(price = "10", description = "Generate a report")
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() != null && !req.getPathInfo().equals("/")) {
            resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        Map<String, Object> request = Json.readObject(req, resp);
        if (request == null) {
            return;
        }
        String id = "r-" + ids.incrementAndGet();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", "queued");
        body.put("request", request);
        resp.setHeader("Location", req.getContextPath() + "/api/reports/" + id);
        Json.write(resp, 201, body);
    }
}
