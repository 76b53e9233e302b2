package dev.tollgate.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.spi.events.TollgateEvent;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/metrics.md stays true to the code: every meter and every event kind is documented. */
class MetricsDocTest {

    @Test
    void everyMeterAndEveryEventIsInTheDocs() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "metrics.md"));
        List<String> missing = new ArrayList<>();
        for (Field f : TollgateMetrics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String name = (String) f.get(null);
                if (!doc.contains("`" + name + "`")) {
                    missing.add(name);
                }
            }
        }
        for (Class<?> kind : TollgateEvent.class.getPermittedSubclasses()) {
            if (!doc.contains("| `" + kind.getSimpleName() + "` |")) {
                missing.add(kind.getSimpleName());
            }
        }
        assertEquals(List.of(), missing, "not in docs/metrics.md");
    }
}
