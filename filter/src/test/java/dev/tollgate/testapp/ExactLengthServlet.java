package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Declares Content-Length, writes exactly that many bytes and closes the stream: the moves that
 * let a container send the response before the filter regains control.
 */
public class ExactLengthServlet extends HttpServlet {
    @Override
    @RequiresPayment(price = "1")
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = ("{\"ok\":\"" + req.getParameter("n") + "\"}").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(201);
        resp.setContentType("application/json");
        resp.setContentLength(body.length);
        ServletOutputStream out = resp.getOutputStream();
        out.write(body);
        out.close();
    }
}
