package dev.longhaul.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The objects {@code kubectl kustomize deploy/k8s/overlays/<overlay>} renders. */
final class Rendered {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final String overlay;
    final List<JsonNode> objects;

    private Rendered(String overlay, List<JsonNode> objects) {
        this.overlay = overlay;
        this.objects = objects;
    }

    /** Renders the overlay with kubectl; fails with the reason when kubectl is missing or refuses. */
    static Rendered overlay(String overlay) {
        String dir = Repo.path("deploy/k8s/overlays/" + overlay).toString();
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render deploy/k8s (kubectl kustomize), and it is not on "
                    + "the PATH: install kubectl 1.27 or newer", e);
        }
        try {
            process.getOutputStream().close();
            var stderr = process.getErrorStream();
            String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String errors = new String(stderr.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish within 2 minutes");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n" + errors);
            }
            List<JsonNode> objects = new ArrayList<>();
            try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
                while (docs.hasNext()) {
                    JsonNode doc = docs.next();
                    if (doc != null && !doc.isNull() && !doc.isEmpty()) objects.add(doc);
                }
            }
            return new Rendered(overlay, objects);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    List<JsonNode> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
        return all(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(overlay + " renders no " + kind + " " + name));
    }

    /** The Deployment of {@code app} (api, worker, scheduler). */
    JsonNode deployment(String app) {
        return get("Deployment", "longhaul-" + app);
    }

    static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").get(0);
    }

    /**
     * The environment a workload's first container gets, as Kubernetes builds it: envFrom in
     * order (a later source wins), then env (wins over envFrom). A value is the literal, or
     * {@code secret:<name>/<key>} (and likewise for configMapKeyRef and fieldRef).
     */
    Map<String, String> env(JsonNode workload) {
        JsonNode container = container(workload);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            if (source.has("configMapRef")) {
                String name = source.path("configMapRef").path("name").asText();
                JsonNode map = get("ConfigMap", name);
                map.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            } else if (source.has("secretRef")) {
                String name = source.path("secretRef").path("name").asText();
                find("Secret", name).ifPresent(secret -> {
                    secret.path("data").fieldNames().forEachRemaining(k -> env.put(k, "secret:" + name + "/" + k));
                    secret.path("stringData").fieldNames().forEachRemaining(k -> env.put(k, "secret:" + name + "/" + k));
                });
            }
        }
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else {
                JsonNode from = e.path("valueFrom");
                Iterator<String> kinds = from.fieldNames();
                String kind = kinds.hasNext() ? kinds.next() : "?";
                JsonNode ref = from.path(kind);
                String what = switch (kind) {
                    case "secretKeyRef" -> "secret:" + ref.path("name").asText() + "/" + ref.path("key").asText();
                    case "configMapKeyRef" -> "configmap:" + ref.path("name").asText() + "/" + ref.path("key").asText();
                    case "fieldRef" -> "field:" + ref.path("fieldPath").asText();
                    default -> kind;
                };
                env.put(name, what);
            }
        }
        return env;
    }

    /** The number of a container port given by name or number. */
    static int port(JsonNode container, JsonNode port) {
        if (port.isInt()) return port.asInt();
        for (JsonNode p : container.path("ports")) {
            if (port.asText().equals(p.path("name").asText())) return p.path("containerPort").asInt();
        }
        throw new AssertionError("container " + container.path("name").asText() + " has no port named " + port.asText());
    }

    /** Whether every label of {@code selector} is on {@code labels}. */
    static boolean selects(JsonNode selector, JsonNode labels) {
        if (selector.isMissingNode() || selector.isEmpty()) return false;
        Iterator<Map.Entry<String, JsonNode>> it = selector.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) return false;
        }
        return true;
    }
}
