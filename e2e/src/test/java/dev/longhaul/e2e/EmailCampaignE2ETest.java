package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An email campaign against a real SMTP server (GreenMail), with its only worker killed with
 * {@code kill -9} mid-campaign and a new one started: every recipient still gets exactly one mail;
 * and the same campaign in four partitions.
 * Customers 9,000,001 to 9,000,400 are this test's segment; one of them has a broken address.
 */
class EmailCampaignE2ETest {
    private static final int RECIPIENTS = 400;
    private static final long BROKEN = 9_000_200;
    private static Map<String, String> workerEnv;
    private static GreenMail smtp;
    private static App api;
    private static App worker;
    private static Jobs jobs;

    @BeforeAll
    static void start() throws Exception {
        smtp = Smtp.start();
        workerEnv = Smtp.workerEnv(smtp, Map.of());
        api = App.start("api", Map.of("LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s"));
        worker = App.start("worker", workerEnv);
        jobs = new Jobs(api);
        sql("delete from shop.customers where id > 9000000 and id <= 9000400");
        sql("""
                insert into shop.customers (id, email, name, country, created_at, status)
                select 9000000 + g, case when 9000000 + g = %d then 'nobody-at-example.com' else 'fan' || g || '@example.com' end,
                       'Fan ' || g, (array['DE','FR','US'])[g %% 3 + 1], now(), 'active'
                from generate_series(1, %d) g""".formatted(BROKEN, RECIPIENTS));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) worker.close();
        if (api != null) api.close();
        if (smtp != null) smtp.stop();
    }

    @Test
    void everyRecipientGetsExactlyOneMailThoughTheWorkerIsKilledMidCampaign() throws Exception {
        smtp.purgeEmailFromAllMailboxes();
        String id = jobs.submit("""
                {"kind":"email","params":{"segment":{"dataset":"customers","filter":[{"field":"id","op":">","value":9000000}]},
                 "template":{"subject":"Hello {name}","body":"Dear {name}, here is the news for {country}."},
                 "ratePerSecond":100}}""");

        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(id, "sent") >= 100);
        // kill the worker between two sends: freeze it, let its statements land, and kill it only
        // if no mail is in flight (a 'sending' record); otherwise let it run on and try again
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            worker.pause();
            await().atMost(Duration.ofSeconds(10)).until(() -> activeStatements() == 0);
            if (deliveries(id, "sending") == 0) {
                worker.kill();
                return true;
            }
            worker.resume();
            return false;
        });
        long sentBeforeKill = deliveries(id, "sent");
        assertThat(sentBeforeKill).isLessThan(RECIPIENTS - 1);
        worker = App.start("worker", workerEnv);

        JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(2));
        assertEveryRecipientMailedOnce(job);
    }

    @Test
    void aPartitionedCampaignMailsEveryRecipientOnceAndAddsUpItsPartitions() throws Exception {
        smtp.purgeEmailFromAllMailboxes();
        String id = jobs.submit("""
                {"kind":"email","partitions":4,
                 "params":{"segment":{"dataset":"customers","filter":[{"field":"id","op":">","value":9000000}]},
                 "template":{"subject":"Hello {name}","body":"Dear {name}, here is the news for {country}."},
                 "ratePerSecond":400}}""");
        JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(2));
        var children = Jobs.JSON.readTree(jobs.call("GET", "/api/jobs?parentId=" + id, null).body()).get("items");
        assertThat(children).hasSize(4);
        // the ranges split the segment about evenly
        children.forEach(child -> assertThat(child.get("result").get("sent").asLong()
                + child.get("result").get("failed").asLong()).isBetween(90L, 110L));
        // four SMTP sessions open at once: GreenMail has once answered one of them 421 (its 30 s
        // socket timeout) while the mail client's handshake stalled; the campaign records such a
        // recipient as failed, never mails anyone twice, and accounts for every recipient
        JsonNode result = job.get("result");
        assertThat(result.get("sent").asLong() + result.get("failed").asLong()).isEqualTo(RECIPIENTS);
        assertThat(result.get("unknown").asLong()).isZero();
        assertThat(result.get("failed").asLong()).as("failures: %s", result.get("failures")).isBetween(1L, 2L);
        List<String> failed = new ArrayList<>();
        result.get("failures").forEach(f -> failed.add(f.get("recipient").asText()));
        assertThat(failed).contains("nobody-at-example.com");
        Map<String, Integer> received = received();
        assertThat(received).hasSize((int) result.get("sent").asLong());
        assertThat(received.values()).containsOnly(1);
        assertThat(received.keySet()).doesNotContainAnyElementsOf(failed);
    }

    /** The mails GreenMail received, by recipient; each subject names its recipient. */
    private static Map<String, Integer> received() throws Exception {
        Map<String, Integer> received = new HashMap<>();
        for (MimeMessage mail : smtp.getReceivedMessages()) {
            String to = mail.getAllRecipients()[0].toString();
            received.merge(to, 1, Integer::sum);
            int n = Integer.parseInt(to.substring(3, to.indexOf('@')));
            assertThat(mail.getSubject()).isEqualTo("Hello Fan " + n);
        }
        return received;
    }

    private static void assertEveryRecipientMailedOnce(JsonNode job) throws Exception {
        assertThat(job.get("result").get("sent").asLong()).isEqualTo(RECIPIENTS - 1);
        assertThat(job.get("result").get("failed").asLong()).isEqualTo(1);
        assertThat(job.get("result").get("unknown").asLong()).isZero();
        assertThat(job.get("result").get("failures").get(0).get("recipient").asText()).isEqualTo("nobody-at-example.com");

        Map<String, Integer> received = received();
        assertThat(received).hasSize(RECIPIENTS - 1);
        assertThat(received.values()).containsOnly(1);
        assertThat(received).doesNotContainKey("nobody-at-example.com");
    }

    private static long deliveries(String jobId, String state) throws Exception {
        return count("longhaul.email_delivery where job_id = '" + jobId + "' and state = '" + state + "'");
    }

    /** Statements running in the test database other than this one. */
    private static long activeStatements() throws Exception {
        return count("pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()");
    }

    private static long count(String from) throws Exception {
        try (Connection c = Jobs.db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from " + from)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = Jobs.db(); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }
}
