package dev.tollgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Keeps the hand-written openapi.json true to the code: its operations ("METHOD /path") are exactly
 * the resource methods of the components {@link TollgateAdmin} serves.
 */
class OpenApiDocumentTest {

    private static final List<Class<? extends Annotation>> METHODS = List.of(GET.class, POST.class, PUT.class,
            DELETE.class, HEAD.class);

    static Set<String> routesOfTheResources() {
        Set<String> routes = new TreeSet<>();
        for (Object component : TollgateAdmin.builder().build().components()) {
            Path root = component.getClass().getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method m : component.getClass().getMethods()) {
                for (Class<? extends Annotation> verb : METHODS) {
                    if (m.isAnnotationPresent(verb)) {
                        Path sub = m.getAnnotation(Path.class);
                        String path = "/" + root.value() + (sub == null ? "" : "/" + sub.value());
                        routes.add(verb.getSimpleName() + " " + path.replaceAll("/+", "/"));
                    }
                }
            }
        }
        return routes;
    }

    static Set<String> routesOfTheDocument() throws Exception {
        Set<String> routes = new TreeSet<>();
        try (InputStream in = OpenApiResource.class.getResourceAsStream(OpenApiResource.DOCUMENT);
             JsonReader reader = Json.createReader(in)) {
            JsonObject paths = reader.readObject().getJsonObject("paths");
            for (String path : paths.keySet()) {
                for (String key : paths.getJsonObject(path).keySet()) {
                    if (Set.of("get", "post", "put", "delete", "head", "patch").contains(key)) {
                        routes.add(key.toUpperCase(Locale.ROOT) + " " + path);
                    }
                }
            }
        }
        return routes;
    }

    @Test
    void theDocumentListsExactlyTheResourcesRoutes() throws Exception {
        Set<String> code = routesOfTheResources();
        assertEquals(code, routesOfTheDocument());
        assertEquals(true, code.contains("POST /accounts/{id}/credit"), code::toString);
    }
}
