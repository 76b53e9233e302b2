package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Goes asynchronous, then ends through {@code AsyncContext.dispatch()}: the second pass writes the result. */
@RequiresPayment(price = "4")
public class DispatchingServlet extends HttpServlet {
    private static final String PASS = "dispatching.second";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getAttribute(PASS) != null) {
            resp.setContentType("text/plain");
            resp.getWriter().write("dispatched result");
            return;
        }
        req.setAttribute(PASS, Boolean.TRUE);
        AsyncContext ac = req.startAsync();
        CompletableFuture.runAsync(ac::dispatch);
    }
}
