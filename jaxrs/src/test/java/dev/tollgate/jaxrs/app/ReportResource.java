package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Reading a report costs 5, writing one 10; class-level price with a method-level override. */
@Path("reports")
@RequiresPayment(price = "5")
public class ReportResource {
    static final AtomicInteger CREATED = new AtomicInteger();

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> read(@PathParam("id") String id, @QueryParam("fail") boolean fail) {
        if (fail) {
            throw new WebApplicationException("the report store failed", 500);
        }
        return Map.of("id", id, "title", "Report " + id);
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresPayment(price = "10")
    public Response create(String body) {
        int n = CREATED.incrementAndGet();
        return Response.status(201).header("Location", "/reports/r" + n)
                .entity(Map.of("id", "r" + n, "request", body)).type(MediaType.APPLICATION_JSON).build();
    }
}
