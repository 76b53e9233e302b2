package dev.tollgate.testscheme;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Costs 2 credits, payable with an account or a test token. */
@RequiresPayment(price = "2", description = "Either way", schemes = {"account", "test-token"})
public class EitherServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write("either");
    }
}
