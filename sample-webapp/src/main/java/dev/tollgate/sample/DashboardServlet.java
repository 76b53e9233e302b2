package dev.tollgate.sample;

import dev.tollgate.usage.UsageCursor;
import dev.tollgate.usage.UsageLog;
import dev.tollgate.usage.UsageLogUnavailableException;
import dev.tollgate.usage.UsagePage;
import dev.tollgate.usage.UsageRecord;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator dashboard and the JSON it is built on, behind the admin check ({@link AdminAuth}: the key in
 * {@code X-Admin-Key} or as the Basic password, so a browser can open it):
 *
 * <pre>
 * GET /admin/dashboard                      the HTML page (hand-written JS and SVG, nothing from elsewhere)
 * GET /admin/dashboard.js, /admin/dashboard.css
 * GET /admin/usage?after=&lt;cursor&gt;&amp;limit=100   committed charges after a cursor (none: from the start)
 * GET /admin/stats                          calls, charges and refusals per minute, per endpoint, rate-limit pressure
 * </pre>
 */
@WebServlet(name = "admin-dashboard", urlPatterns = {"/admin/dashboard", "/admin/dashboard.js", "/admin/dashboard.css",
        "/admin/usage", "/admin/stats"})
public class DashboardServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!AdminAuth.admit(req, resp)) {
            return;
        }
        OperatorView view = OperatorView.of(getServletContext());
        if (view == null) {
            Json.problem(resp, 503, "Service Unavailable", "The operator view is not installed.");
            return;
        }
        resp.setHeader("Cache-Control", "no-store");
        switch (req.getServletPath()) {
            case "/admin/dashboard" -> asset(resp, "dashboard.html", "text/html;charset=UTF-8");
            case "/admin/dashboard.js" -> asset(resp, "dashboard.js", "text/javascript;charset=UTF-8");
            case "/admin/dashboard.css" -> asset(resp, "dashboard.css", "text/css;charset=UTF-8");
            case "/admin/usage" -> usage(req, resp, view.usage);
            case "/admin/stats" -> Json.write(resp, 200, view.stats.snapshot());
            default -> Json.problem(resp, 404, "Not Found", "No such admin page.");
        }
    }

    private void asset(HttpServletResponse resp, String name, String type) throws IOException {
        try (InputStream in = DashboardServlet.class.getResourceAsStream("/dev/tollgate/sample/dashboard/" + name)) {
            if (in == null) {
                Json.problem(resp, 404, "Not Found", "No such admin page.");
                return;
            }
            byte[] bytes = in.readAllBytes();
            resp.setContentType(type);
            resp.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            resp.setContentLength(bytes.length);
            resp.getOutputStream().write(bytes);
        }
    }

    private static void usage(HttpServletRequest req, HttpServletResponse resp, UsageLog log) throws IOException {
        Map<String, String[]> parameters = Json.parameters(req, resp);
        if (parameters == null) {
            return;
        }
        String after = Json.first(parameters, "after");
        String limitText = Json.first(parameters, "limit");
        UsageCursor cursor;
        int limit;
        try {
            cursor = after == null || after.isEmpty() ? log.start() : UsageCursor.parse(after);
            limit = limitText == null ? 100 : parsePositive(limitText);
        } catch (IllegalArgumentException e) {
            Json.problem(resp, 400, "Bad Request", "after must be a cursor from an earlier page, limit 1 to "
                    + UsageLog.MAX_PAGE + ".");
            return;
        }
        UsagePage page;
        try {
            page = log.read(cursor, limit);
        } catch (IllegalArgumentException e) {
            Json.problem(resp, 400, "Bad Request", "after must be a cursor of this usage log, limit 1 to "
                    + UsageLog.MAX_PAGE + ".");
            return;
        } catch (UsageLogUnavailableException e) {
            resp.setHeader("Retry-After", "5");
            Json.problem(resp, 503, "Service Unavailable", "The usage log cannot be read now; retry shortly.");
            return;
        }
        List<Map<String, Object>> records = new ArrayList<>(page.records().size());
        for (UsageRecord r : page.records()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("kind", r.kind().name().toLowerCase(java.util.Locale.ROOT));
            m.put("account", r.account());
            m.put("amount", r.amount().toPlainString());
            m.put("currency", r.currency());
            m.put("resource", r.resource());
            m.put("time", r.at().toString());
            records.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", records);
        body.put("next", page.next().token());
        body.put("lost", page.lost());
        Json.write(resp, 200, body);
    }

    private static int parsePositive(String text) {
        if (!text.matches("[0-9]{1,4}")) {
            throw new IllegalArgumentException("limit");
        }
        return Integer.parseInt(text);
    }
}
