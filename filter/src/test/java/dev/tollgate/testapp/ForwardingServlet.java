package dev.tollgate.testapp;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Free: forwards (or, with ?include=true, includes) to the path in ?to=. A front controller. */
public class ForwardingServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        String to = req.getParameter("to");
        if ("true".equals(req.getParameter("include"))) {
            resp.getWriter().write("header;");
            req.getRequestDispatcher(to).include(req, resp);
        } else {
            req.getRequestDispatcher(to).forward(req, resp);
        }
    }
}
