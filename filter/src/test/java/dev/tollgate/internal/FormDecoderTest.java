package dev.tollgate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormDecoderTest {

    private static Map<String, List<String>> decode(String form) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        FormDecoder.decode(form.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8, m);
        return m;
    }

    @Test
    void decodesLikeAContainer() {
        assertEquals(Map.of("a", List.of("1", "3"), "b", List.of("x y")), decode("a=1&b=x+y&a=3"));
        assertEquals(Map.of("k", List.of(""), "e", List.of("")), decode("k&&e="));
        assertEquals(Map.of("n", List.of("jos\u00e9", "=2")), decode("n=jos%C3%A9&n==2"));
        assertEquals(Map.of(), decode(""));
        assertEquals(Map.of("", List.of("v")), decode("=v"));
    }

    @Test
    void keepsMalformedEscapesRatherThanFailing() {
        assertEquals(Map.of("a", List.of("%zz%4"), "b%", List.of("%")), decode("a=%zz%4&b%=%"));
    }
}
