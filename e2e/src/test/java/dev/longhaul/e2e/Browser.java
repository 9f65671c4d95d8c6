package dev.longhaul.e2e;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Headless Chromium, as Debian packages it, driven by Playwright. Playwright's own browser download
 * cannot work here, and is never tried: the tests name the system's executable
 * ({@code LONGHAUL_CHROMIUM}, else {@code /usr/bin/chromium}, which bin/test installs).
 * Each page records its console errors and every request it makes outside the api's origin.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = App.ROOT.resolve("e2e/target/screenshots");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser chromium;
    private final String origin;
    final List<String> consoleErrors = new ArrayList<>();
    final List<String> foreignRequests = new ArrayList<>();

    Browser(String origin) {
        this.origin = origin;
        String executable = System.getenv().getOrDefault("LONGHAUL_CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(executable))) {
            throw new IllegalStateException(executable + " is missing: install Debian's chromium (bin/test does)");
        }
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        chromium = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(Path.of(executable))
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run")));
    }

    /** A fresh browser profile (no cookies) with one page, watched for errors and foreign requests. */
    Page newPage() {
        BrowserContext context = chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(1400, 900).setAcceptDownloads(true));
        context.onRequest(request -> {
            if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) foreignRequests.add(request.url());
        });
        Page page = context.newPage();
        page.onConsoleMessage(message -> {
            if ("error".equals(message.type())) consoleErrors.add(page.url() + ": " + message.text());
        });
        page.onPageError(error -> consoleErrors.add(page.url() + ": " + error));
        return page;
    }

    /** Saves the whole page as {@code e2e/target/screenshots/<name>.png}. */
    static void screenshot(Page page, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Override
    public void close() {
        chromium.close();
        playwright.close();
    }
}
