package dev.tollgate.testscheme;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Costs 2 credits; {@code /missing} answers 404, which is not billable. */
@RequiresPayment(price = "2", description = "A report")
public class ReportServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if ("/missing".equals(req.getPathInfo())) {
            resp.sendError(404);
            return;
        }
        resp.setContentType("text/plain");
        resp.getWriter().write("the report");
    }
}
