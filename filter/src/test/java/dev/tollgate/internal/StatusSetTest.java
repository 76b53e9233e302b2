package dev.tollgate.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatusSetTest {

    @Test
    void parsesClassesRangesAndCodes() {
        StatusSet s = StatusSet.parse("2xx, 304,400-401");
        assertTrue(s.contains(200));
        assertTrue(s.contains(299));
        assertTrue(s.contains(304));
        assertTrue(s.contains(401));
        assertFalse(s.contains(302));
        assertFalse(s.contains(500));
        assertFalse(s.contains(-1));
        assertFalse(s.contains(1000));
    }

    @Test
    void rejectsMalformedItems() {
        assertThrows(IllegalArgumentException.class, () -> StatusSet.parse("2xy"));
        assertThrows(IllegalArgumentException.class, () -> StatusSet.parse("700"));
        assertThrows(IllegalArgumentException.class, () -> StatusSet.parse("299-200"));
    }
}
