package dev.tollgate.testapp;

import dev.tollgate.Metering;
import dev.tollgate.Money;
import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A metered endpoint: holds 10 credits, charges {@code ?cost=} (none: the whole price). With
 * {@code late=true} it flushes its response before setting the cost; {@code status} sets the
 * status. The body says whether the cost counted.
 */
@RequiresPayment(price = "10", metered = true, description = "Metered test")
public class MeteredServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String cost = req.getParameter("cost");
        String status = req.getParameter("status");
        resp.setStatus(status == null ? 200 : Integer.parseInt(status));
        resp.setContentType("text/plain");
        if (Boolean.parseBoolean(req.getParameter("late"))) {
            resp.getWriter().write("first part\n");
            resp.flushBuffer();
        }
        boolean counted = cost == null || Metering.of(req).charge(Money.credits(cost));
        resp.getWriter().write("cost " + cost + (counted ? " counted" : " ignored")
                + "; reserved " + Metering.of(req).reserved());
    }
}
