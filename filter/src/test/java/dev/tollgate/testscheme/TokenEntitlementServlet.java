package dev.tollgate.testscheme;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Requires an entitlement but accepts only the test token, which cannot grant one. */
@RequiresPayment(entitlement = "premium", schemes = "test-token")
public class TokenEntitlementServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        resp.setStatus(204);
    }
}
