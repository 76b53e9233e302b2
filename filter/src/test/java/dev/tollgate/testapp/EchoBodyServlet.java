package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A paid POST (1 credit) that echoes its body the way its path says: {@code /stream} the bytes of
 * {@code getInputStream()}, {@code /reader} the text of {@code getReader()}, {@code /params} the
 * parameter map in order, {@code /both} the parameters and then the stream, {@code /count} the
 * number of parameters or the {@code IllegalStateException} that refused them. {@code PUT} does the same. The path, not a
 * parameter, chooses, so choosing reads nothing.
 */
public class EchoBodyServlet extends HttpServlet {

    /** How often the endpoint ran. */
    public static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    @RequiresPayment(price = "1")
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        RUNS.incrementAndGet();
        String how = req.getPathInfo() == null ? "" : req.getPathInfo();
        String out = switch (how) {
            case "/stream" -> "stream:" + new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            case "/reader" -> "reader:" + req.getReader().lines().reduce("", String::concat);
            case "/params" -> "params:" + params(req);
            case "/count" -> count(req);
            case "/both" -> "params:" + params(req) + " stream:"
                    + new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            default -> "?";
        };
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().write(out);
    }

    /** The same for a form {@code PUT}, also 1 credit. */
    @Override
    @RequiresPayment(price = "1")
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        doPost(req, resp);
    }

    /** The number of parameters, or what {@code getParameterMap()} refused with (no container type). */
    private static String count(HttpServletRequest req) {
        try {
            return "count:" + req.getParameterMap().size();
        } catch (IllegalStateException e) {
            return "refused:" + e.getMessage();
        }
    }

    private static String params(HttpServletRequest req) {
        StringJoiner j = new StringJoiner(" ");
        // Sorted by name: containers order names differently; values keep the spec's order (query first).
        for (Map.Entry<String, String[]> e : new TreeMap<>(req.getParameterMap()).entrySet()) {
            j.add(e.getKey() + "=" + Arrays.toString(e.getValue()));
        }
        return j + " name=" + req.getParameter("name");
    }
}
