package dev.tollgate.sample;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The error page for uncaught exceptions and 500s ({@code WEB-INF/web.xml}): a generic RFC 9457
 * problem instead of the container's own page, which on Jetty and Tomcat names the exception class
 * (and may show its message or stack). What failed goes to the log, never to the client.
 */
@WebServlet(name = "error", urlPatterns = "/error")
public class ErrorServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(ErrorServlet.class.getName());

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getDispatcherType() != DispatcherType.ERROR) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND); // only the container dispatches here
            return;
        }
        Object thrown = req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (thrown instanceof Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "Request to " + req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI)
                    + " failed", t);
        }
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 500 && i <= 599 ? i : 500;
        if (!resp.isCommitted()) {
            resp.resetBuffer();
            Json.problem(resp, status, "Internal Server Error", "The server could not complete this request.");
        }
    }
}
