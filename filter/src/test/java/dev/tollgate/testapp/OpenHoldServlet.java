package dev.tollgate.testapp;

import dev.tollgate.internal.Enforcer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Not annotated: plays an adapter (JAX-RS) that took a hold and leaves it open, by returning or
 * by throwing. The filter must run the adapter's backstop once.
 */
public class OpenHoldServlet extends HttpServlet {
    public static final AtomicInteger BACKSTOPS = new AtomicInteger();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        req.setAttribute(Enforcer.UNSETTLED, (Runnable) BACKSTOPS::incrementAndGet);
        if (req.getParameter("throw") != null) {
            throw new IllegalStateException("the adapter's runtime let this through");
        }
        resp.setStatus(200);
    }
}
