package dev.tollgate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.Money;
import dev.tollgate.annotations.Free;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.testapp.HeadServlet;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testapp.ReportServlet;
import jakarta.servlet.GenericServlet;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class PolicyScannerTest {

    private static PolicyTable scan(String name, Class<?> type) {
        PolicyScanner s = new PolicyScanner();
        s.add(name, type);
        return s.build();
    }

    @Test
    void classLevelPriceCoversImplementedMethodsAndHeadButNotOptionsOrUnimplemented() {
        PolicyTable t = scan("quotes", QuoteServlet.class);
        assertEquals(Money.credits("1"), t.lookup("quotes", "GET").payment().price());
        assertEquals(Money.credits("1"), t.lookup("quotes", "HEAD").payment().price());
        assertNull(t.lookup("quotes", "OPTIONS"), "CORS pre-flight must never be charged");
        assertNull(t.lookup("quotes", "TRACE"));
        assertNull(t.lookup("quotes", "POST"), "POST is not implemented; the servlet answers 405 itself");
        assertNull(t.lookup("quotes", "PROPFIND"));
        assertNull(t.lookup("other", "GET"));
        assertNull(t.lookup(null, "GET"));
        assertEquals("One quote", t.lookup("quotes", "GET").payment().description());
    }

    @Test
    void methodLevelAnnotationsAndFree() {
        PolicyTable t = scan("reports", ReportServlet.class);
        assertEquals(Money.credits("5"), t.lookup("reports", "GET").payment().price());
        assertEquals(Money.credits("5"), t.lookup("reports", "HEAD").payment().price());
        assertEquals(Money.credits("10"), t.lookup("reports", "POST").payment().price());
        assertNull(t.lookup("reports", "OPTIONS"));
        assertEquals(ReportServlet.class.getName() + ".doGet", t.lookup("reports", "GET").origin());
    }

    @Test
    void headTakesGetsMethodLevelPolicyIncludingLimits() {
        PolicyTable t = scan("head", HeadServlet.class);
        Policy head = t.lookup("head", "HEAD");
        assertEquals(Money.credits("0.25"), head.payment().price());
        assertEquals(1, head.tiers().get(0).buckets().size());
        assertTrue(head.tiers() == t.lookup("head", "GET").tiers(), "HEAD and GET share one bucket");
    }

    @RequiresPayment(price = "2")
    @RateLimited(requests = 10, period = 1, unit = ChronoUnit.MINUTES)
    static class PricedWithFreeMethod extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }

        @Override
        @Free
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    @Test
    void freeRemovesThePriceButKeepsClassLimits() {
        PolicyTable t = scan("p", PricedWithFreeMethod.class);
        Policy post = t.lookup("p", "POST");
        assertNotNull(post);
        assertNull(post.payment());
        assertEquals(1, post.tiers().get(0).buckets().size());
        assertEquals("payer-10-per-60s", post.tiers().get(0).buckets().get(0).limits().get(0).name());
    }

    @RequiresPayment(price = "1")
    static class ServiceOverride extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    @Test
    void overridingServiceCoversEveryMethodButOptionsAndTrace() {
        PolicyTable t = scan("s", ServiceOverride.class);
        assertNotNull(t.lookup("s", "GET"));
        assertNotNull(t.lookup("s", "PATCH"));
        assertNotNull(t.lookup("s", "PROPFIND"));
        assertNull(t.lookup("s", "OPTIONS"));
    }

    @RequiresPayment(price = "1")
    static class Generic extends GenericServlet {
        @Override
        public void service(ServletRequest req, ServletResponse res) {
        }
    }

    @Test
    void nonHttpServletsAreCoveredForEveryMethod() {
        assertNotNull(scan("g", Generic.class).lookup("g", "DELETE"));
    }

    @Test
    void theSameClassUnderTwoNamesGetsSeparateSharedBuckets() {
        PolicyScanner s = new PolicyScanner();
        s.add("search-a", dev.tollgate.testapp.SearchServlet.class);
        s.add("search-b", dev.tollgate.testapp.SearchServlet.class);
        PolicyTable t = s.build();
        String a = t.lookup("search-a", "GET").tiers().get(0).buckets().get(0).stableId();
        String b = t.lookup("search-b", "GET").tiers().get(0).buckets().get(0).stableId();
        assertTrue(!a.equals(b), a + " vs " + b);
    }

    @Test
    void unannotatedServletsAreNotInTheTable() {
        assertTrue(scan("plain", HttpServlet.class).isEmpty());
    }

    // ------------------------------------------------------------------ invalid annotations

    static class NegativePrice extends HttpServlet {
        @Override
        @RequiresPayment(price = "-5")
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    @RequiresPayment(price = "five")
    static class UnparsablePrice extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    @RequiresPayment(entitlement = " ")
    static class BlankEntitlement extends HttpServlet {
    }

    @RequiresPayment
    static class NothingRequired extends HttpServlet {
    }

    @RequiresPayment(price = "1", currency = "€uro")
    static class BadCurrency extends HttpServlet {
    }

    @RequiresPayment(entitlement = "premium", metered = true)
    static class MeteredWithoutPrice extends HttpServlet {
    }

    @RequiresPayment(price = "10", metered = true)
    static class Metered extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    static class ZeroCapacity extends HttpServlet {
        @Override
        @RateLimited(requests = 0, period = 1)
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    @RateLimited(requests = 5, key = KeyBy.HEADER)
    static class HeaderKeyWithoutHeader extends HttpServlet {
    }

    @RateLimited(requests = 5, tokens = 6)
    static class TooManyTokens extends HttpServlet {
    }

    @RateLimited(requests = 5, unit = ChronoUnit.WEEKS)
    static class WeeksUnit extends HttpServlet {
    }

    @RateLimited(requests = 5, name = "a")
    @RateLimited(requests = 50, name = "a")
    static class DuplicateNames extends HttpServlet {
    }

    @RateLimited(requests = 10, period = 500, unit = ChronoUnit.MILLIS)
    static class SubSecond extends HttpServlet {
    }

    @RateLimited(requests = 2_000_000_000L, period = 1, unit = ChronoUnit.SECONDS)
    static class TooFast extends HttpServlet {
    }

    static class FreeAndPriced extends HttpServlet {
        @Override
        @Free
        @RequiresPayment(price = "1")
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        }
    }

    static class Misplaced extends HttpServlet {
        @RequiresPayment(price = "1")
        public void handle() {
        }
    }

    @Test
    void invalidValuesNameTheClassTheMethodAndTheMember() {
        assertMessage(NegativePrice.class, "@RequiresPayment on " + NegativePrice.class.getName() + ".doGet", "price", "-5");
        assertMessage(UnparsablePrice.class, "class " + UnparsablePrice.class.getName(), "price", "five");
        assertMessage(BlankEntitlement.class, BlankEntitlement.class.getName(), "entitlement");
        assertMessage(NothingRequired.class, NothingRequired.class.getName(), "price", "entitlement");
        assertMessage(BadCurrency.class, BadCurrency.class.getName(), "currency", "€uro");
        assertMessage(ZeroCapacity.class, "@RateLimited on " + ZeroCapacity.class.getName() + ".doPost", "requests = 0");
        assertMessage(HeaderKeyWithoutHeader.class, HeaderKeyWithoutHeader.class.getName(), "header");
        assertMessage(TooManyTokens.class, TooManyTokens.class.getName(), "tokens = 6");
        assertMessage(WeeksUnit.class, WeeksUnit.class.getName(), "unit = Weeks");
        assertMessage(DuplicateNames.class, DuplicateNames.class.getName(), "\"a\"");
        assertMessage(SubSecond.class, SubSecond.class.getName(), "period = 500", "whole number of seconds");
        assertMessage(TooFast.class, TooFast.class.getName(), "requests = 2000000000", "nanosecond");
        assertMessage(FreeAndPriced.class, FreeAndPriced.class.getName() + ".doGet", "@Free");
        assertMessage(Misplaced.class, Misplaced.class.getName() + ".handle", "no effect");
        assertMessage(MeteredWithoutPrice.class, MeteredWithoutPrice.class.getName(), "metered needs a price");
    }

    @Test
    void meteredIsKeptForEveryMethodTheClassCovers() {
        PolicyTable t = scan("m", Metered.class);
        assertTrue(t.lookup("m", "GET").payment().metered());
        assertTrue(t.lookup("m", "HEAD").payment().metered(), "HEAD takes GET's terms");
        assertFalse(scan("q", QuoteServlet.class).lookup("q", "GET").payment().metered(), "a fixed price by default");
    }

    private static void assertMessage(Class<?> type, String... fragments) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> scan("x", type));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "\"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
    }
}
