package dev.tollgate.testscheme;

import dev.tollgate.Denial;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Rendering;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A renderer that writes plain text and tries to blank a payment scheme's header. */
public class PlainTextRenderer implements DenialRenderer {
    @Override
    public Rendering render(Denial denial, HttpServletRequest request) {
        return new Rendering(denial.status(), "text/plain", denial.detail().getBytes(StandardCharsets.UTF_8),
                List.of(Map.entry(TestTokenScheme.PRICE_HEADER, "none")));
    }
}
