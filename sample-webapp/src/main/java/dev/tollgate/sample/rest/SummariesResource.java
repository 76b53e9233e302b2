package dev.tollgate.sample.rest;

import dev.tollgate.Metering;
import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.sample.Summaries;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /rest/summaries/{id}?words=N}, like {@code /api/summaries}: holds 10 credits, charges
 * 1 credit per started 100 words (at least 1) through {@link Metering} on the injected request.
 */
@Path("summaries/{id}")
public class SummariesResource {

    @Context
    private HttpServletRequest request;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresPayment(price = Summaries.MAXIMUM, metered = true, description = "One summary (1 credit per 100 words)")
    public Response summary(@PathParam("id") String id, @QueryParam("words") String wordsParam) {
        int words = Summaries.words(wordsParam);
        if (!id.matches("[A-Za-z0-9-]{1,40}") || words < 0) {
            return Problems.badRequest(request, "Ask for /rest/summaries/{id}?words=N, where id is 1 to 40 letters,"
                    + " digits or dashes and N a whole number from 1 to " + Summaries.MAX_WORDS + ".");
        }
        Metering.of(request).charge(Summaries.cost(words));
        return Response.ok(Summaries.summary(id, words), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
