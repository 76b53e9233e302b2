package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.Free;
import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Priced at 2 per call, with the odd cases: free, unmapped failure, streamed, asynchronous, mapped exception. */
@Path("misc")
@RequiresPayment(price = "2")
public class MiscResource {

    @GET
    @Path("free")
    @Free
    @Produces(MediaType.TEXT_PLAIN)
    public String free() {
        return "free";
    }

    @GET
    @Path("boom")
    public String boom() {
        throw new IllegalStateException("no mapper handles this");
    }

    @GET
    @Path("fatal")
    public String fatal() {
        throw new AssertionError("an Error skips Jersey's exception mapping and its response filters");
    }

    @GET
    @Path("mapped")
    public String mapped() {
        throw new FailureMapper.Failure();
    }

    @GET
    @Path("stream")
    @Produces(MediaType.TEXT_PLAIN)
    public StreamingOutput stream() {
        return out -> {
            for (int i = 0; i < 100; i++) {
                out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    @GET
    @Path("async")
    @Produces(MediaType.TEXT_PLAIN)
    public void async(@Suspended AsyncResponse response) {
        CompletableFuture.runAsync(() -> response.resume("later"));
    }

    @GET
    @Path("nothing")
    public void nothing() {
        // 204
    }
}
