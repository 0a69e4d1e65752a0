package relay;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's webhook body, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config):
 * one group's alerts, firing and resolved, with the labels the group shares. Fields Alertmanager
 * may add later are ignored; a body that is not this shape is refused with 400 before anything is queued.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Notification(String version, String groupKey, Integer truncatedAlerts, String status, String receiver,
                           Map<String, String> groupLabels, Map<String, String> commonLabels,
                           Map<String, String> commonAnnotations, String externalURL, List<Alert> alerts) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Alert(String status, Map<String, String> labels, Map<String, String> annotations, String startsAt,
                        String endsAt, String generatorURL, String fingerprint) {
        public boolean firing() { return !"resolved".equals(status); }
        public String label(String name) { return labels == null ? null : labels.get(name); }
        public String annotation(String name) { return annotations == null ? null : annotations.get(name); }
    }

    public static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Parses and checks a webhook body; the message of an IllegalArgumentException is the 400's text. */
    public static Notification parse(byte[] body) {
        Notification n;
        try {
            n = JSON.readValue(body, Notification.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not Alertmanager's webhook JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (n == null || n.alerts == null) throw new IllegalArgumentException("not Alertmanager's webhook JSON: no \"alerts\" list");
        if (n.version != null && !n.version.equals("4")) throw new IllegalArgumentException("webhook version " + n.version + ": only version 4 is understood");
        for (Alert a : n.alerts) if (a == null || a.labels == null) throw new IllegalArgumentException("an alert without \"labels\"");
        return n;
    }

    /** The same group with only {@code some} of its alerts (those a route sends to one receiver). */
    public Notification with(List<Alert> some) {
        return new Notification(version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels, commonAnnotations, externalURL, some);
    }

    public long firingCount() { return alerts.stream().filter(Alert::firing).count(); }
}
