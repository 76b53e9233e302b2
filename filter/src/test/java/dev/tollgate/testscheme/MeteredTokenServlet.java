package dev.tollgate.testscheme;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Metered, and payable with the test token, whose scheme cannot charge part of a reservation: the start fails. */
@RequiresPayment(price = "10", metered = true, schemes = {"account", TestTokenScheme.NAME})
public class MeteredTokenServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        resp.setStatus(204);
    }
}
