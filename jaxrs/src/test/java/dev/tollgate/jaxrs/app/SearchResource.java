package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** Free, five searches a minute per client. */
@Path("search")
public class SearchResource {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RateLimited(requests = 5, period = 60)
    public Map<String, String> search(@QueryParam("q") String q) {
        return Map.of("q", q == null ? "" : q);
    }
}
