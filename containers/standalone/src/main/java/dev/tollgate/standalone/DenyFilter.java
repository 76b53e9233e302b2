package dev.tollgate.standalone;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Stands for an authentication filter declared in {@code web.xml}: answers 401 to a request with an
 * {@code X-Deny} header. Tollgate must run after it, so such a request never reaches the ledger.
 * Stateless.
 */
public class DenyFilter extends HttpFilter {

    /** Creates the filter (the container does). */
    public DenyFilter() {
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getHeader("X-Deny") != null) {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        chain.doFilter(request, response);
    }
}
