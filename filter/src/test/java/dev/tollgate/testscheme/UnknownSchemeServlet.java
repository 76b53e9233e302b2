package dev.tollgate.testscheme;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Names a payment scheme nobody provides: the start fails. */
@RequiresPayment(price = "1", schemes = "x402")
public class UnknownSchemeServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        resp.setStatus(204);
    }
}
