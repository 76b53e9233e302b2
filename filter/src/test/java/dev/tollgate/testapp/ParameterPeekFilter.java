package dev.tollgate.testapp;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Placed in front of Tollgate, asks for a parameter (as a logging or CSRF filter might), so the
 * container parses a form body before Tollgate sees the request.
 */
public class ParameterPeekFilter extends HttpFilter {
    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        req.getParameter("name");
        chain.doFilter(req, res);
    }
}
