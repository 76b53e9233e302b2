package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.testing.MutableClock;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;

/** Takes "longer" than the hold allows: moves the test clock forward while it runs. */
public class LongServlet extends HttpServlet {
    public static volatile MutableClock clock;

    @Override
    @RequiresPayment(price = "2")
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        clock.advance(Duration.ofMinutes(Long.parseLong(req.getParameter("minutes"))));
        resp.getWriter().write("slow result");
    }
}
