package relay;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * alertrelay's YAML file as written; {@link Routes#compile} checks it and makes it runnable.
 *
 * <pre>
 * listen: 127.0.0.1:9099            # where Alertmanager posts (webhook_configs url: http://.../alerts)
 * queue: /var/lib/alertrelay        # accepted alerts wait here, fsynced, until their chat took them
 * receivers:
 *   - name: ops-slack
 *     kind: slack                   # slack, mattermost, dingtalk, wecom, feishu, json
 *     url_env: SLACK_URL            # or url_file: /etc/alertrelay/slack.url (never in this file)
 *   - name: dba-dingtalk
 *     kind: dingtalk
 *     url_file: /etc/alertrelay/dingtalk.url
 *     secret_env: DINGTALK_SECRET   # the robot's "加签" signing secret (secret_file works too)
 *     rate: 20/1m                   # the default for DingTalk and WeCom
 * routes:                           # first match wins; continue: true goes on to the next
 *   - match: ['team="db"', 'severity=~"critical|page"']
 *     receivers: [dba-dingtalk]
 *     continue: true
 *   - receivers: [ops-slack]        # no match: every alert
 * </pre>
 */
public record Config(String listen, String queue, List<Receiver> receivers, List<Route> routes) {

    /** A chat robot (or any JSON endpoint) and how to reach it; the URL and secret only by env or file. */
    public record Receiver(String name, String kind, String urlEnv, String urlFile, String secretEnv, String secretFile,
                           String rate, String format, Boolean sendResolved, JsonNode template, String timeout) {}

    /** Alerts whose labels match every matcher go to these receivers. */
    public record Route(List<String> match, List<String> receivers, @JsonProperty("continue") Boolean continueMatching) {}
}
