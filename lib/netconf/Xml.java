package netconf;

//SOURCES ../cli/InputError.java ../cli/InputFile.java

import cli.InputError;
import cli.InputFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The JDK's XML parser, locked down (secure processing, no DOCTYPE, no external entities or
 * XInclude: a device's reply or a user's file cannot make us read files or the network), plus the
 * few things netconf does with a tree: find children by local name, pretty-print, turn into JSON.
 */
public final class Xml {
    private Xml() {}

    public static final String BASE = "urn:ietf:params:xml:ns:netconf:base:1.0";

    private static final DocumentBuilderFactory FACTORY = factory();

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser refused a security feature", e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }

    static DocumentBuilder builder() {
        try {
            DocumentBuilder b = FACTORY.newDocumentBuilder();
            b.setErrorHandler(null);    // no "[Fatal Error]" lines on stderr: the exception says it
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parsers for devices' messages, reused (a new one sets up a whole Xerces pipeline; each session parses at least three messages). */
    private static final ConcurrentLinkedQueue<DocumentBuilder> IDLE = new ConcurrentLinkedQueue<>();

    /** A message from the device; a SAXParseException says where it is broken. */
    static Document parse(byte[] data, int length) throws SAXException {
        DocumentBuilder b = IDLE.poll();
        if (b == null) b = builder();
        try {
            Document d = b.parse(new ByteArrayInputStream(data, 0, length));
            b.reset();
            b.setErrorHandler(null);     // reset() brings back the default handler, which prints to stderr
            IDLE.offer(b);               // only after a clean parse: a failed one is dropped with its state
            return d;
        } catch (IOException e) {
            throw new SAXException(e);
        }
    }

    /**
     * A user's XML file (--config, --filter): its root element, or an InputError naming
     * FILE:LINE:COL and what the parser found wrong.
     */
    public static Element file(Path file, String option) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(InputFile.readable(file, option));
        } catch (IOException e) {
            throw new InputError(option + " " + file + ": cannot read: " + e.getMessage());
        }
        try {
            return builder().parse(new ByteArrayInputStream(bytes)).getDocumentElement();
        } catch (SAXParseException e) {
            throw new InputError(file + ":" + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + option + ": malformed XML: " + e.getMessage());
        } catch (SAXException | IOException e) {
            throw new InputError(file + ": " + option + ": malformed XML: " + e.getMessage());
        }
    }

    /** The element children of {@code e}, optionally only those named {@code local}. */
    public static List<Element> children(Element e, String local) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && (local == null || local.equals(c.getLocalName()))) out.add(c);
        }
        return out;
    }

    public static Element child(Element e, String local) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && local.equals(c.getLocalName())) return c;
        }
        return null;
    }

    public static String text(Element e, String local) {
        Element c = e == null ? null : child(e, local);
        return c == null ? null : c.getTextContent().strip();
    }

    // ---- writing --------------------------------------------------------------------------------

    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@code e} as XML text exactly as parsed (for sending a user's file inside an rpc). */
    public static String compact(Element e) {
        StringBuilder sb = new StringBuilder();
        write(e, sb, -1);
        return sb.toString();
    }

    /** The children of {@code e}, indented two spaces a level, one per line; whitespace-only text dropped. */
    public static String prettyChildren(Element e) {
        StringBuilder sb = new StringBuilder();
        for (Element c : children(e, null)) write(c, sb, 0);
        return sb.toString();
    }

    /** @param depth the indentation level, or -1 to write as is (no added whitespace) */
    private static void write(Element e, StringBuilder sb, int depth) {
        if (depth >= 0) sb.append("  ".repeat(depth));
        sb.append('<').append(e.getTagName());
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr a = (Attr) attrs.item(i);
            sb.append(' ').append(a.getName()).append("=\"").append(escape(a.getValue())).append('"');
        }
        boolean elements = false, content = false;
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element) elements = true;
            else if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
                if (!n.getNodeValue().isBlank() || depth < 0) content = true;
            }
        }
        if (!elements && !content) {
            sb.append("/>");
        } else if (!elements || depth < 0) {
            sb.append('>');
            for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element c) write(c, sb, -1);
                else if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
                    sb.append(escape(depth < 0 ? n.getNodeValue() : n.getNodeValue().strip()));
                }
            }
            sb.append("</").append(e.getTagName()).append('>');
        } else {                                  // mixed content keeps its elements; its text is rare in config
            sb.append(">\n");
            for (Element c : children(e, null)) write(c, sb, depth + 1);
            sb.append("  ".repeat(depth)).append("</").append(e.getTagName()).append('>');
        }
        if (depth >= 0) sb.append('\n');
    }

    // ---- JSON -----------------------------------------------------------------------------------

    /**
     * The children of {@code e} as a JSON tree in the spirit of RFC 7951: a member per element,
     * named {@code module:name} where its namespace is not its parent's ({@code modules} maps the
     * namespaces the device announced to module names; an unknown namespace is used as is), a list
     * (an element that repeats) as an array, a leaf as its text, an empty leaf as null.
     */
    public static Map<String, Object> json(Element e, Map<String, String> modules) {
        return members(e, e.getNamespaceURI(), modules);
    }

    private static Map<String, Object> members(Element e, String parentNs, Map<String, String> modules) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Element c : children(e, null)) {
            String ns = c.getNamespaceURI();
            String name = ns == null || ns.equals(parentNs) ? c.getLocalName() : modules.getOrDefault(ns, ns) + ":" + c.getLocalName();
            Object value = children(c, null).isEmpty() ? leaf(c) : members(c, ns, modules);
            Object had = m.get(name);
            if (had == null && !m.containsKey(name)) {
                m.put(name, value);
            } else if (had instanceof Repeated list) {
                list.add(value);
            } else {
                Repeated list = new Repeated();
                list.add(had);
                list.add(value);
                m.put(name, list);
            }
        }
        return m;
    }

    private static Object leaf(Element c) {
        String t = c.getTextContent().strip();
        return t.isEmpty() ? null : t;
    }

    /** An element seen more than once under one parent. */
    private static final class Repeated extends ArrayList<Object> {}
}
