package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/** Results far larger than any buffer, at 6 per call: an entity, and a stream that may fail half-way. */
@Path("big")
@RequiresPayment(price = "6")
public class BigResource {
    private static final int CHUNK = 64 * 1024;

    /** {@code ?mib=N} MiB of 'x' as one String entity (default 16). */
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String entity(@QueryParam("mib") Integer mib) {
        return "x".repeat((mib == null ? 16 : mib) * 1024 * 1024);
    }

    /** {@code ?mib=N} MiB of 'x' as an entity resumed on another thread (default 2). */
    @GET
    @Path("later")
    @Produces(MediaType.TEXT_PLAIN)
    public void later(@QueryParam("mib") Integer mib, @Suspended AsyncResponse response) {
        CompletableFuture.runAsync(() -> response.resume("x".repeat((mib == null ? 2 : mib) * 1024 * 1024)));
    }

    /** As {@link #stream}, resumed on another thread through an {@link AsyncResponse}. */
    @GET
    @Path("stream-later")
    @Produces(MediaType.TEXT_PLAIN)
    public void streamLater(@QueryParam("mib") Integer mib, @QueryParam("failAfterMib") Integer failAfter,
                            @Suspended AsyncResponse response) {
        CompletableFuture.runAsync(() -> response.resume(stream(mib, failAfter)));
    }

    /** {@code ?mib=N} MiB streamed (default 16); {@code ?failAfterMib=N} throws after N MiB. */
    @GET
    @Path("stream")
    @Produces(MediaType.TEXT_PLAIN)
    public StreamingOutput stream(@QueryParam("mib") Integer mib, @QueryParam("failAfterMib") Integer failAfter) {
        byte[] chunk = new byte[CHUNK];
        Arrays.fill(chunk, (byte) 'x');
        int chunks = (mib == null ? 16 : mib) * 16;
        return out -> {
            for (int i = 0; i < chunks; i++) {
                if (failAfter != null && i == failAfter * 16) {
                    throw new IllegalStateException("the export failed half-way (test)");
                }
                out.write(chunk);
            }
        };
    }
}
