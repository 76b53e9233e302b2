package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, monthly allowances in the sample: the demo key {@code demo-plan} pays for an account with 10
 * credits and a plan of 5 calls per calendar month. Its first 5 paid calls leave the balance alone, the 6th
 * is paid from it, the self-service page shows what is left, and once the balance is gone too the 402 says
 * what the allowance has left and when it resets.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DemoPlanIT {

    static {
        SampleHttp.hermetic("it-demo-plan-admin-key");
    }

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return SampleHttp.war();
    }

    @AfterAll
    static void shutdown() {
        SampleHttp.leaveHermetic();
    }

    private HttpResponse<String> quote() throws Exception {
        return SampleHttp.send(base, "GET", "/api/quotes/ACME", null, "X-API-Key", "demo-plan");
    }

    private Map<String, Object> self() throws Exception {
        HttpResponse<String> r = SampleHttp.send(base, "GET", "/api/balance", null, "X-API-Key", "demo-plan");
        assertEquals(200, r.statusCode(), r.body());
        return SampleHttp.json(r);
    }

    private static BigDecimal number(Object o) {
        return new BigDecimal(o.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theFirstFiveCallsAreThePlansAndTheSixthIsPaidFromTheBalance() throws Exception {
        Map<String, Object> before = self();
        assertEquals(0, BigDecimal.TEN.compareTo(number(before.get("balance"))), before.toString());
        Map<String, Object> plan = (Map<String, Object>) before.get("allowance");
        assertEquals("starter", plan.get("plan"));
        assertEquals("calls", plan.get("unit"));
        assertEquals(0, new BigDecimal(5).compareTo(number(plan.get("remaining"))));
        for (int i = 1; i <= 5; i++) {
            assertEquals(200, quote().statusCode());
            assertEquals(0, BigDecimal.TEN.compareTo(number(self().get("balance"))), "call " + i + " is the plan's");
        }
        assertEquals(200, quote().statusCode());
        Map<String, Object> after = self();
        assertEquals(0, new BigDecimal(9).compareTo(number(after.get("balance"))), "the 6th is paid: " + after);
        plan = (Map<String, Object>) after.get("allowance");
        assertEquals(0, BigDecimal.ZERO.compareTo(number(plan.get("remaining"))));
        for (int i = 0; i < 9; i++) {
            assertEquals(200, quote().statusCode());
        }
        HttpResponse<String> refused = quote();
        assertEquals(402, refused.statusCode(), refused.body());
        Map<String, Object> problem = SampleHttp.json(refused);
        Map<String, Object> allowance = (Map<String, Object>) problem.get("allowance");
        assertEquals("starter", allowance.get("plan"), refused.body());
        assertEquals("calls", allowance.get("unit"));
        assertEquals(0, new BigDecimal(5).compareTo(number(allowance.get("limit"))));
        assertEquals(0, new BigDecimal(5).compareTo(number(allowance.get("used"))));
        assertEquals(0, BigDecimal.ZERO.compareTo(number(allowance.get("remaining"))));
        assertTrue(allowance.get("resetsAt").toString().matches("\\d{4}-\\d{2}-01T00:00:00Z"), refused.body());
    }
}
