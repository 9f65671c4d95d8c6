package dev.longhaul.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in headless Chromium, against the packaged api and a worker: signing in, every page
 * loading with no console error and no request leaving the api's origin, an export followed live to
 * its download, a cancel from a job's page, a read-only key refused, a bulk retry of every matching
 * job, schedules and workers. Elements are found by role and label, as people find them.
 */
class DashboardE2ETest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static App api;
    private static App worker;
    private static Jobs jobs;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        // the job page hears from its job five times a second; exports walk 1,000 rows per chunk,
        // so a small export still moves its progress bar many times
        api = App.start("api", Map.of("LONGHAUL_UI_LIVE_EVERY", "200ms", "LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s"));
        worker = App.start("worker", Map.of("LONGHAUL_EXPORT_INITIAL_ROWS", "1000", "LONGHAUL_EXPORT_MAX_ROWS", "1000"));
        jobs = new Jobs(api);
        jobs.awaitSuccess(jobs.submit("{\"kind\":\"seed\",\"params\":{\"customers\":6000,\"orders\":150000,\"reset\":true}}"),
                Duration.ofMinutes(2));
        browser = new Browser(api.url(""));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.close();
        if (worker != null) worker.close();
        if (api != null) api.close();
    }

    @BeforeEach
    void cleanSlate() {
        browser.consoleErrors.clear();
        browser.foreignRequests.clear();
    }

    @AfterEach
    void nothingWentWrongInTheBrowser() {
        assertThat(browser.consoleErrors).as("console errors").isEmpty();
        assertThat(browser.foreignRequests).as("requests to another origin").isEmpty();
    }

    @Test
    void signInThenEveryPageLoads() throws Exception {
        Page page = browser.newPage();
        page.navigate(api.url("/ui/jobs"));
        assertThat(page).hasURL(api.url("/ui/login"));
        Browser.screenshot(page, "login");
        signIn(page, App.ADMIN_KEY);
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Overview"))).isVisible();
        Browser.screenshot(page, "overview");
        for (String name : List.of("Jobs", "Queues", "Schedules", "Workers")) {
            page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Main"))
                    .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName(name)).click();
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName(name).setLevel(1))).isVisible();
            Browser.screenshot(page, name.toLowerCase());
        }
        var response = page.request().get(api.url("/ui/"));
        assertThat(response.headers().get("content-security-policy")).contains("default-src 'none'").contains("script-src 'self'");
        page.context().close();
    }

    @Test
    void anExportIsFollowedLiveToItsDownload() throws Exception {
        String id = jobs.submit("""
                {"kind":"export","params":{"dataset":"orders","columns":["id","status","total_cents","customer_email","note"]}}""");
        Page page = signedIn(App.ADMIN_KEY);
        page.navigate(api.url("/ui/jobs/" + id));
        // a marker that a reload would wipe: the bar must rise on this very document
        page.evaluate("window.sameDocument = true");
        Locator bar = page.getByRole(AriaRole.PROGRESSBAR, new Page.GetByRoleOptions().setName("Progress"));
        List<Integer> seen = new ArrayList<>();
        await("the progress bar rises three times").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            String now = bar.getAttribute("aria-valuenow");
            if (now != null && (seen.isEmpty() || Integer.parseInt(now) > seen.getLast())) seen.add(Integer.parseInt(now));
            return seen.size() >= 4 && Boolean.TRUE.equals(page.evaluate("window.sameDocument === true"));
        });
        assertThat(seen).isSorted().allSatisfy(v -> assertThat(v).isBetween(0, 100));
        awaitEnd(page, "SUCCEEDED", 60_000);
        Browser.screenshot(page, "job-export");
        Download download = page.waitForDownload(() -> page.getByRole(AriaRole.LINK,
                new Page.GetByRoleOptions().setName("orders.csv")).click());
        String csv = Files.readString(download.path());
        assertThat(csv).startsWith("id,status,total_cents,customer_email,note\n");
        assertThat(jobs.get(id).get("result").get("rows").asLong()).isEqualTo(150_000);
        page.context().close();
    }

    @Test
    void aSleepingJobIsCancelledFromItsPage() throws Exception {
        String id = jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":300}}");
        await("running").atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(jobs.get(id).get("state").asText()));
        Page page = signedIn(App.ADMIN_KEY);
        page.navigate(api.url("/ui/jobs/" + id));
        assertThat(page.locator("#job-state")).hasText("RUNNING");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Cancel")).click();
        awaitEnd(page, "CANCELLED", 10_000);
        Browser.screenshot(page, "job-cancelled");
        page.context().close();
    }

    @Test
    void aReadOnlyKeySeesNoActionsAndItsForgedPostIsRefused() throws Exception {
        String readOnly = createKey("{\"name\":\"ui-reader\",\"tenant\":\"default\",\"roles\":[\"read\"]}");
        String id = jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":300}}");
        Page page = signedIn(readOnly);
        page.navigate(api.url("/ui/jobs/" + id));
        assertThat(page.locator("#job-state")).isVisible();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Cancel"))).hasCount(0);
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Retry"))).hasCount(0);
        // the session's own CSRF token, so only the role can refuse it
        String csrf = page.locator("input[name=csrf]").first().inputValue();
        var forged = page.request().post(api.url("/ui/jobs/" + id + "/cancel"),
                RequestOptions.create().setForm(FormData.create().set("csrf", csrf)).setMaxRedirects(0));
        assertThat(forged.status()).isEqualTo(403);
        var noToken = page.request().post(api.url("/ui/jobs/" + id + "/cancel"), RequestOptions.create().setMaxRedirects(0));
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(jobs.get(id).get("cancelRequested").asBoolean()).isFalse();
        jobs.post("/api/jobs/" + id + "/cancel");
        page.context().close();
    }

    @Test
    void everyFailedJobMatchingAFilterIsRetriedInBulk() throws Exception {
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < 3; i++) failed.add(jobs.submit("{\"kind\":\"fail\",\"params\":{\"message\":\"bulk-retry drill\"},\"maxAttempts\":1}"));
        for (String id : failed) {
            await("failed").atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(jobs.get(id).get("state").asText()));
        }
        Page page = signedIn(App.ADMIN_KEY);
        page.navigate(api.url("/ui/jobs"));
        page.getByLabel("State").selectOption("FAILED");
        page.getByLabel("Kind").fill("fail");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();
        assertThat(page).hasURL(Pattern.compile(".*state=FAILED.*kind=fail.*"));
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Retry all…")).click();
        Browser.screenshot(page, "bulk-confirm");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(Pattern.compile("^Retry \\d+ jobs$"))).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1))).containsText("bulk-jobs");
        awaitEnd(page, "SUCCEEDED", 30_000);
        Browser.screenshot(page, "job-bulk-retry");
        for (String id : failed) {
            JsonNode events = Jobs.JSON.readTree(HTTP.send(api.request("/api/jobs/" + id + "/events").build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(events.toString()).contains("by a bulk retry");
        }
        page.context().close();
    }

    @Test
    void anAdminPausesResumesAndLimitsALaneFromTheQueuesPage() throws Exception {
        Page page = signedIn(App.ADMIN_KEY);
        page.navigate(api.url("/ui/queues"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pause email")).click();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Resume email"))).isVisible();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Resume email")).click();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pause email"))).isVisible();

        page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Concurrency of email")).fill("4");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save the limits of email")).click();
        assertThat(page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Concurrency of email"))).hasValue("4");
        var lanes = HTTP.send(api.request("/api/queues").build(), HttpResponse.BodyHandlers.ofString());
        org.assertj.core.api.Assertions.assertThat(Jobs.JSON.readTree(lanes.body()).get(2).get("concurrency").asInt()).isEqualTo(4);
        Browser.screenshot(page, "queues-controls");

        // a bad value is named on the page, and nothing changes
        page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Concurrency of email")).fill("many");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save the limits of email")).click();
        assertThat(page.getByRole(AriaRole.ALERT)).containsText("concurrency must be a number");
        Browser.screenshot(page, "queues-refused");
        assertThat(page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Concurrency of email"))).hasValue("4");

        page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Concurrency of email")).fill("");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save the limits of email")).click();
        assertThat(page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Concurrency of email"))).hasValue("");
        page.context().close();
    }

    @Test
    void schedulesRunNowAndDisableAndWorkersShowTheWorker() throws Exception {
        String name = "ui-nightly-" + System.nanoTime();
        var created = HTTP.send(api.request("/api/schedules").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"cron\":\"0 0 3 * * ?\",\"timezone\":\"UTC\","
                        + "\"job\":{\"kind\":\"noop\"}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Page page = signedIn(App.ADMIN_KEY);
        page.navigate(api.url("/ui/schedules"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Run " + name + " now")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1))).containsText("noop");
        awaitEnd(page, "SUCCEEDED", 30_000);
        page.navigate(api.url("/ui/schedules"));
        assertThat(page.getByRole(AriaRole.LIST, new Page.GetByRoleOptions().setName("Recent slots of " + name)))
                .containsText("run now");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Disable " + name)).click();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Enable " + name))).isVisible();
        Browser.screenshot(page, "schedules-after");
        page.navigate(api.url("/ui/workers"));
        assertThat(page.getByRole(AriaRole.TABLE)).containsText(String.valueOf(worker.pid()));
        page.context().close();
    }

    /**
     * Waits until the job's page shows it ended in {@code state}, and has loaded once more to show
     * its outcome: that page no longer follows the job, so nothing reloads it under the test.
     */
    private static void awaitEnd(Page page, String state, double timeoutMillis) {
        assertThat(page.locator("#job-state")).hasText(state, new LocatorAssertions.HasTextOptions().setTimeout(timeoutMillis));
        assertThat(page.locator("[data-live]")).hasCount(0);
    }

    private Page signedIn(String key) {
        Page page = browser.newPage();
        page.navigate(api.url("/ui/login"));
        signIn(page, key);
        return page;
    }

    private static void signIn(Page page, String key) {
        page.getByLabel("API key").fill(key);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out"))).isVisible();
    }

    private static String createKey(String body) throws Exception {
        var response = HTTP.send(api.request("/api/keys").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Jobs.JSON.readTree(response.body()).get("key").asText();
    }
}
