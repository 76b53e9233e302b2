package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Completes on another thread: ?mode=ok (200), error (500 via sendError), timeout (never completes). */
@RequiresPayment(price = "2")
public class AsyncServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        String mode = req.getParameter("mode") == null ? "ok" : req.getParameter("mode");
        AsyncContext ac = req.startAsync();
        if (mode.equals("timeout")) {
            ac.setTimeout(200);
            return;
        }
        CompletableFuture.runAsync(() -> {
            try {
                if (mode.equals("error")) {
                    resp.sendError(500);
                } else {
                    resp.setContentType("text/plain");
                    resp.getWriter().write("async " + mode);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            } finally {
                ac.complete();
            }
        });
    }
}
