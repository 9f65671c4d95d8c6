package dev.longhaul.e2e;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

/** A real SMTP server (GreenMail) on a free loopback port, and the worker settings that use it. */
final class Smtp {
    private Smtp() {
    }

    static GreenMail start() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        return smtp;
    }

    /** A worker with a short lease, mailing through {@code smtp}. */
    static Map<String, String> workerEnv(GreenMail smtp, Map<String, String> more) {
        var env = new java.util.HashMap<>(Map.of(
                "LONGHAUL_WORKER_LEASE", "3s",
                "LONGHAUL_WORKER_HEARTBEAT", "1s",
                "QUARKUS_MAILER_MOCK", "false",
                "QUARKUS_MAILER_HOST", "127.0.0.1",
                "QUARKUS_MAILER_PORT", String.valueOf(smtp.getSmtp().getPort())));
        env.putAll(more);
        return Map.copyOf(env);
    }
}
