package dev.longhaul.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository, found from the module folder ({@code ../deploy/...}). */
final class Repo {
    private Repo() {
    }

    /** The repository root: surefire's {@code longhaul.root}, or the parent of the working folder. */
    static Path root() {
        String configured = System.getProperty("longhaul.root");
        return (configured != null ? Path.of(configured) : Path.of("..")).toAbsolutePath().normalize();
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        Path file = path(relative);
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
