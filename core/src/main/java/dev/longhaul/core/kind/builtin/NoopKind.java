package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.KindSpec;
import jakarta.inject.Singleton;

/** {@code noop}: does nothing and succeeds; for smoke tests and measuring the queue itself. */
@Singleton
public class NoopKind implements KindSpec<NoopKind.Params> {
    public static final String NAME = "noop";

    /** No parameters. */
    public record Params() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }
}
