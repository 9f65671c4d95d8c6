package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;

/** {@code noop}: does nothing and succeeds; for smoke tests and measuring the queue itself. */
@Singleton
public class NoopKind extends Kind<NoopKind.Params> {
    public static final String NAME = "noop";

    public NoopKind() {
        super(NAME, Params.class, Lanes.DEFAULT, 5);
    }

    /** No parameters. */
    public record Params() {
    }
}
