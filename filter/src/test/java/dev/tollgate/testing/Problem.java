package dev.tollgate.testing;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses JSON bodies in tests. */
public final class Problem {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final Type MAP = new LinkedHashMap<String, Object>() { }.getClass().getGenericSuperclass();

    private Problem() {
    }

    public static Map<String, Object> json(HttpResponse<String> r) {
        return JSONB.fromJson(r.body(), MAP);
    }

    public static BigDecimal decimal(Object o) {
        return new BigDecimal(o.toString());
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
