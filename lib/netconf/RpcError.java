package netconf;

//SOURCES Xml.java

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * One {@code <rpc-error>} of a reply (RFC 6241 section 4.3): what the device said, field by field,
 * as it said it. {@code info} holds error-info's leaves (bad-element, session-id, ...).
 */
public record RpcError(String type, String tag, String severity, String appTag, String path, String message, Map<String, String> info) {

    static List<RpcError> of(Element reply) {
        List<RpcError> errors = new ArrayList<>();
        for (Element e : Xml.children(reply, "rpc-error")) {
            Map<String, String> info = new LinkedHashMap<>();
            Element i = Xml.child(e, "error-info");
            if (i != null) for (Element c : Xml.children(i, null)) info.put(c.getLocalName(), c.getTextContent().strip());
            errors.add(new RpcError(Xml.text(e, "error-type"), Xml.text(e, "error-tag"), Xml.text(e, "error-severity"),
                    Xml.text(e, "error-app-tag"), Xml.text(e, "error-path"), Xml.text(e, "error-message"), info));
        }
        return errors;
    }

    public boolean isError() { return !"warning".equals(severity); }

    /** "invalid-value at /if:interfaces/if:interface[if:name='eth0']/if:enabled: invalid value (bad-value maybe)" */
    public String describe() {
        StringBuilder sb = new StringBuilder(tag == null ? "error" : tag);
        if (path != null && !path.isEmpty()) sb.append(" at ").append(path);
        if (message != null && !message.isEmpty()) sb.append(": ").append(message);
        List<String> details = new ArrayList<>();
        info.forEach((k, v) -> { if (!k.equals("error-number") && !v.isEmpty()) details.add(k + " " + v); });
        if (!details.isEmpty()) sb.append(" (").append(String.join(", ", details)).append(')');
        return sb.toString();
    }

    /** As a JSON object: the RFC's field names. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error-type", type);
        m.put("error-tag", tag);
        m.put("error-severity", severity);
        if (appTag != null) m.put("error-app-tag", appTag);
        if (path != null) m.put("error-path", path);
        if (message != null) m.put("error-message", message);
        if (!info.isEmpty()) m.put("error-info", info);
        return m;
    }
}
