package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Costs 7 and never finishes: the node running it is killed while the hold is open. */
public class BlockingServlet extends HttpServlet {
    @Override
    @RequiresPayment(price = "7")
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws java.io.IOException {
        try {
            new java.util.concurrent.CountDownLatch(1).await(); // until the node is killed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resp.getWriter().write("never");
    }
}
