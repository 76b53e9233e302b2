package dev.tollgate.sample.launcher;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * A filter that only passes each request on: what a filter costs a container at least, the baseline
 * a WAR with Tollgate and no policy is measured against ({@code benchmarks/http-load.sh}).
 * Stateless and thread-safe.
 */
public final class EmptyFilter implements Filter {

    /** Creates the filter (the container does). */
    public EmptyFilter() {
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
    }
}
