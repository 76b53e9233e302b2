package dev.tollgate;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The {@code <filter-mapping>} elements of the application's {@code WEB-INF/web.xml}, for the
 * dispatcher types of a declared Tollgate filter. Why read the descriptor: the Servlet API gives a
 * {@code FilterRegistration}'s URL patterns and servlet names but not its dispatcher types, and a
 * mapping without {@code <dispatcher>} elements is for {@code REQUEST} only, which leaves forwards,
 * includes and asynchronous dispatches unenforced. Mappings made in code or in another JAR's
 * {@code web-fragment.xml} cannot be seen this way and are not checked. Stateless.
 */
final class WebXml {

    /** Where the descriptor is: {@value}. */
    static final String PATH = "/WEB-INF/web.xml";

    /** The dispatches the filter must see to enforce every way a request reaches a servlet. */
    static final Set<DispatcherType> REQUIRED = EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD,
            DispatcherType.INCLUDE, DispatcherType.ASYNC);

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private WebXml() {
    }

    /**
     * One {@code <filter-mapping>}.
     *
     * @param targets its URL patterns and servlet names, for messages
     * @param dispatchers its dispatcher types, {@code REQUEST} when it lists none
     */
    record Mapping(List<String> targets, Set<DispatcherType> dispatchers) {
    }

    /**
     * {@return the filter mappings of {@code WEB-INF/web.xml} by filter name; empty without a descriptor}
     *
     * @param context the application
     * @throws IllegalStateException when the descriptor cannot be read (the container read it, so
     *         this is unexpected; failing is the safe answer for {@link TollgateRequired})
     */
    static Map<String, List<Mapping>> filterMappings(ServletContext context) {
        Map<String, List<Mapping>> mappings = new LinkedHashMap<>();
        try (InputStream in = context.getResourceAsStream(PATH)) {
            if (in == null) {
                return mappings;
            }
            NodeList list = parser().parse(in).getDocumentElement().getChildNodes();
            for (int i = 0; i < list.getLength(); i++) {
                if (list.item(i) instanceof Element e && "filter-mapping".equals(name(e))) {
                    String filter = null;
                    List<String> targets = new ArrayList<>();
                    Set<DispatcherType> dispatchers = EnumSet.noneOf(DispatcherType.class);
                    NodeList children = e.getChildNodes();
                    for (int j = 0; j < children.getLength(); j++) {
                        if (children.item(j) instanceof Element c) {
                            String text = c.getTextContent().strip();
                            switch (name(c)) {
                                case "filter-name" -> filter = text;
                                case "url-pattern", "servlet-name" -> targets.add(text);
                                case "dispatcher" -> dispatcher(text, dispatchers);
                                default -> { }
                            }
                        }
                    }
                    if (dispatchers.isEmpty()) {
                        dispatchers.add(DispatcherType.REQUEST); // the Servlet specification's default
                    }
                    if (filter != null) {
                        mappings.computeIfAbsent(filter, k -> new ArrayList<>()).add(new Mapping(targets, dispatchers));
                    }
                }
            }
            return mappings;
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw new IllegalStateException("Tollgate: cannot read " + PATH + " to check the dispatchers of the"
                    + " Tollgate filter: " + e.getMessage(), e);
        }
    }

    /**
     * {@return what the given mappings of one filter lack, for a message, or {@code null} when each
     * has every {@link #REQUIRED} dispatcher (or there is none to check)}
     *
     * @param mappings the filter's mappings from {@link #filterMappings}
     */
    static String missingDispatchers(List<Mapping> mappings) {
        StringJoiner missing = new StringJoiner("; ");
        for (Mapping m : mappings) {
            Set<DispatcherType> lacking = EnumSet.copyOf(REQUIRED);
            lacking.removeAll(m.dispatchers());
            if (!lacking.isEmpty()) {
                StringJoiner types = new StringJoiner(", ");
                lacking.forEach(t -> types.add(t.name()));
                missing.add("the dispatchers " + types + " (<filter-mapping> for " + String.join(", ", m.targets())
                        + ")");
            }
        }
        return missing.length() == 0 ? null : missing.toString();
    }

    private static void dispatcher(String text, Set<DispatcherType> into) {
        try {
            into.add(DispatcherType.valueOf(text.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            // The container validated its descriptor; a value it would refuse adds nothing here.
        }
    }

    private static String name(Node n) {
        return n.getLocalName() != null ? n.getLocalName() : n.getNodeName();
    }

    private static DocumentBuilder parser() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        // Never fetch a DTD or an entity: old descriptors name a DTD, which is not needed here. A
        // parser an application server provides may lack a feature; the descriptor is the
        // application's own, so that is no reason to skip the check.
        for (String feature : new String[] {"http://apache.org/xml/features/nonvalidating/load-external-dtd",
                "http://xml.org/sax/features/external-general-entities",
                "http://xml.org/sax/features/external-parameter-entities"}) {
            try {
                f.setFeature(feature, false);
            } catch (ParserConfigurationException e) {
                LOG.log(System.Logger.Level.DEBUG, "XML parser lacks {0}", feature);
            }
        }
        f.setExpandEntityReferences(false);
        f.setXIncludeAware(false);
        return f.newDocumentBuilder();
    }
}
