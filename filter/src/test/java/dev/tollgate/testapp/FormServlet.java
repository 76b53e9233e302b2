package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Reads form parameters, to show idempotent fingerprinting leaves them readable. */
public class FormServlet extends HttpServlet {
    @Override
    @RequiresPayment(price = "1")
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write("hello " + req.getParameter("name"));
    }
}
