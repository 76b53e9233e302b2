package dev.tollgate.sample.rest;

import dev.tollgate.jaxrs.TollgateFeature;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * The Jakarta REST half of the demo under {@code /rest}: the same prices and limits as
 * {@code /api/quotes}, {@code /api/reports}, {@code /api/search} and the metered {@code /api/summaries}, on
 * resource classes.
 * {@link TollgateFeature} enforces the annotations with the filter's engine, so both halves
 * share one ledger and answer alike. {@link BoundedJsonReader} and {@link MalformedEntityMapper}
 * answer a body that is not JSON, or nested too deep, with a 400 problem as the servlet half does.
 */
@ApplicationPath("/rest")
public class RestApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(TollgateFeature.class, QuotesResource.class, ReportsResource.class, SearchResource.class,
                SummariesResource.class, X402ForecastResource.class,
                BoundedJsonReader.class, MalformedEntityMapper.class);
    }
}
