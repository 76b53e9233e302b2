package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PolicySettings}: an empty resource is refused by name; entries are kept sorted and read-only. */
class PolicySettingsTest {

    @Test
    void anEmptyResourceNamesTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PolicySettings("", Map.of()));
        assertEquals("Tollgate parameter tollgate.policies = \"\": must not be empty", e.getMessage());
    }

    @Test
    void entriesFromParametersAndTheBuilderAreSortedAndReadOnly() {
        PolicySettings p = TollgateConfig.builder().policy("pdfs.price", "2")
                .apply(Map.of("tollgate.policy.pdfs.paths", "*.pdf",
                        "tollgate.policies", "/WEB-INF/policies.properties"))
                .build().policySettings();
        assertEquals("/WEB-INF/policies.properties", p.resource());
        assertEquals(List.of("pdfs.paths", "pdfs.price"), List.copyOf(p.entries().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> p.entries().put("x.price", "1"));
    }
}
