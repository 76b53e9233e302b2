package dev.tollgate.testapp;

import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** A method-level GET price and limit, to check that HEAD takes both. */
public class HeadServlet extends HttpServlet {
    @Override
    @RequiresPayment(price = "0.25")
    @RateLimited(requests = 100, period = 60)
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write("body");
    }
}
