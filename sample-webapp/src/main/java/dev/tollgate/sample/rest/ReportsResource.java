package dev.tollgate.sample.rest;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /rest/reports/{id}} (5 credits) and {@code POST /rest/reports} (10 credits), like
 * {@code /api/reports}: {@code ?fail=true} makes the GET fail, which charges nothing; a POST retried
 * with the same {@code Idempotency-Key} gets the first answer and is not charged again.
 */
@Path("reports")
public class ReportsResource {

    private static final AtomicLong IDS = new AtomicLong(1000);

    @Context
    private HttpServletRequest request;

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresPayment(price = "5", description = "One report")
    public Response read(@PathParam("id") String id, @QueryParam("fail") boolean fail) {
        if (!id.matches("[A-Za-z0-9-]{1,40}")) {
            return Problems.badRequest(request, "Ask for /rest/reports/{id}, where id is 1 to 40 letters, digits"
                    + " or dashes.");
        }
        if (fail) {
            throw new IllegalStateException("Report " + id + " failed to render (requested with ?fail=true)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("title", "Quarterly report " + id);
        body.put("pages", 12);
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresPayment(price = "10", description = "Generate a report")
    public Response create(Map<String, Object> requested) {
        if (requested == null) {
            return Problems.badRequest(request, "Send a JSON object describing the report.");
        }
        String id = "r-" + IDS.incrementAndGet();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", "queued");
        body.put("request", requested);
        return Response.created(URI.create(request.getContextPath() + "/rest/reports/" + id))
                .entity(body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
