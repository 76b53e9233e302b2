package dev.tollgate.jaxrs.app;

import dev.tollgate.jaxrs.TollgateFeature;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** The test application: lists its classes, so nothing is found by scanning. */
public class RestApp extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(TollgateFeature.class, QuoteResource.class, ReportResource.class, SearchResource.class,
                MiscResource.class, FailureMapper.class, LocatorResource.class, InheritedResources.Dear.class,
                InheritedResources.Cheap.class, InheritedResources.Large.class, BigResource.class,
                TokenResource.class);
    }
}
