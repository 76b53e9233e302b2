package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** An invalid price: the application must not start. */
@Path("bad")
public class BadResource {
    @GET
    @RequiresPayment(price = "1.2.3")
    public String bad() {
        return "never";
    }

    /** An application holding only the bad resource. */
    public static class App extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(dev.tollgate.jaxrs.TollgateFeature.class, BadResource.class);
        }
    }
}
