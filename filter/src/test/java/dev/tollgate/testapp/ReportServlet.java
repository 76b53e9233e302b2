package dev.tollgate.testapp;

import dev.tollgate.annotations.Free;
import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/** Method-level prices; ?fail=true throws, ?status=N answers N, POST counts executions. */
public class ReportServlet extends HttpServlet {
    public static final AtomicInteger POSTS = new AtomicInteger();

    @Override
    @RequiresPayment(price = "5")
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        if ("true".equals(req.getParameter("fail"))) {
            throw new ServletException("report generation failed");
        }
        if ("true".equals(req.getParameter("abort"))) {
            resp.getWriter().write("partial");
            throw new IOException("the client went away (simulated)");
        }
        if (req.getParameter("status") != null) {
            resp.sendError(Integer.parseInt(req.getParameter("status")));
            return;
        }
        resp.setContentType("application/json");
        resp.getWriter().write("{\"report\":\"" + req.getPathInfo() + "\"}");
    }

    @Override
    @RequiresPayment(price = "10")
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String body = new String(req.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int n = POSTS.incrementAndGet();
        resp.setStatus(201);
        resp.setHeader("Location", req.getRequestURI() + "/" + n);
        resp.setHeader("X-Execution", Integer.toString(n));
        resp.setContentType("application/json");
        resp.getOutputStream().write(("{\"n\":" + n + ",\"echo\":" + body + "}").getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    @Free
    protected void doOptions(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        super.doOptions(req, resp);
    }
}
