package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Flushes its response before returning: the charge is made before the flushed bytes leave. */
public class StreamingServlet extends HttpServlet {
    @Override
    @RequiresPayment(price = "3")
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write("streamed");
        resp.flushBuffer();
    }
}
