package dev.tollgate.standalone;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The test web application's one endpoint: declared in {@code web.xml} (not {@code @WebServlet}),
 * so a container that scans no annotations still serves it, and priced on {@code doGet}, so the
 * price is only seen when Tollgate's filter runs. Stateless.
 */
public class PricedServlet extends HttpServlet {

    /** Creates the servlet (the container does). */
    public PricedServlet() {
    }

    /** Answers {@code 200 the paid result}, for one credit. */
    @Override
    @RequiresPayment(price = "1", description = "The paid result")
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("the paid result");
    }
}
