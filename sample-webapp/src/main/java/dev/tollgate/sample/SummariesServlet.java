package dev.tollgate.sample;

import dev.tollgate.Metering;
import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * {@code GET /api/summaries/{id}?words=N}: a metered endpoint. Tollgate holds the maximum,
 * 10 credits; the summary costs 1 credit per started 100 words (at least 1), set with
 * {@link Metering} before the answer is written; the rest of the hold goes back.
 */
@WebServlet(name = "summaries", urlPatterns = "/api/summaries/*")
@RequiresPayment(price = Summaries.MAXIMUM, metered = true, description = "One summary (1 credit per 100 words)")
public class SummariesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
        int words = Summaries.words(req.getParameter("words"));
        if (!id.matches("[A-Za-z0-9-]{1,40}") || words < 0) {
            // A 4xx outcome releases the whole hold.
            Json.badRequest(req, resp, "Ask for /api/summaries/{id}?words=N, where id is 1 to 40 letters, digits or"
                    + " dashes and N a whole number from 1 to " + Summaries.MAX_WORDS + ".");
            return;
        }
        Map<String, Object> body = Summaries.summary(id, words);
        // Before the first byte of the answer leaves: the charge is made then.
        Metering.of(req).charge(Summaries.cost(words));
        Json.write(resp, 200, body);
    }
}
