package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;

/** One inherited method, priced differently by two subclasses' class-level annotations. */
public final class InheritedResources {

    private InheritedResources() {
    }

    /** The shared implementation. */
    public abstract static class Base {
        @GET
        @Produces(MediaType.TEXT_PLAIN)
        public String get() {
            return getClass().getSimpleName();
        }
    }

    /** 7 per call. */
    @Path("inherited/dear")
    @RequiresPayment(price = "7")
    public static class Dear extends Base {
    }

    /** Free. */
    @Path("inherited/free")
    public static class Cheap extends Base {
    }

    /** A large JSON entity: beyond the replayable size, so it is charged when its first bytes must leave. */
    @Path("large")
    @RequiresPayment(price = "3")
    public static class Large {
        @GET
        @Produces(MediaType.APPLICATION_JSON)
        public List<String> get() {
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                rows.add("row " + i);
            }
            return rows;
        }
    }
}
