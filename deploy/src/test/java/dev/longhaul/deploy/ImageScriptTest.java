package dev.longhaul.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/image says clearly, and fails, when there is no container engine to build with. */
class ImageScriptTest {
    @Test
    void failsClearlyWithoutAContainerEngine() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", Repo.path("bin/image").toString())
                .directory(Repo.root().toFile()).redirectErrorStream(true);
        builder.environment().put("LONGHAUL_CONTAINER_ENGINE", "longhaul-no-such-engine");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isNotZero();
        assertThat(output).contains("no container engine").contains("Nothing was built");
    }
}
