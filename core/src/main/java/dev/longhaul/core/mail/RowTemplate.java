package dev.longhaul.core.mail;

import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.kind.InvalidRequestException;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Expression;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.qute.TemplateNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A Qute template filled from one row of a dataset: {@code Dear {name}}. Every name it reads must
 * be a column of the dataset, which is checked when the template is parsed, so a campaign with a
 * misspelt field is refused at submit instead of failing at its first row. Output is plain text.
 *
 * <p>Only what a campaign needs is allowed: a column's value ({@code {name}}) and simple
 * conditionals ({@code {#if country == 'DE'}…{#else}…{/if}}). Loops, {@code #eval},
 * {@code #include}, {@code #let} and every other section, method calls and properties of a value
 * ({@code {name.foo}}) are refused at submit, so rendering one row takes time and memory in
 * proportion to the template and the row, and its output is bounded besides.
 */
public final class RowTemplate {
    private static final Engine ENGINE = Engine.builder().addDefaults().strictRendering(true).build();
    /** The sections a template may use. */
    private static final Set<String> SECTIONS = Set.of("if");
    /** The longest a rendered subject or body may be, in characters. */
    public static final int MAX_OUTPUT = 256 * 1024;

    private final Template template;
    private final Set<String> fields;

    private RowTemplate(Template template, Set<String> fields) {
        this.template = template;
        this.fields = fields;
    }

    /** Parses {@code text}; errors are named under {@code field}. */
    public static RowTemplate parse(Dataset dataset, String text, String field) {
        Template template;
        try {
            template = ENGINE.parse(text);
        } catch (TemplateException e) {
            throw new InvalidRequestException(field, "is not a valid template: " + e.getMessage());
        }
        for (TemplateNode node : template.findNodes(TemplateNode::isSection)) {
            String name = node.asSection().getName();
            if (node != template.getRootNode() && !SECTIONS.contains(name) && !name.startsWith("$")) {
                throw new InvalidRequestException(field, "{#" + name + "}: only {#if} sections may be used");
            }
        }
        Set<String> fields = new LinkedHashSet<>();
        for (Expression expression : template.getExpressions()) {
            collect(dataset, expression, field, fields);
        }
        return new RowTemplate(template, Set.copyOf(fields));
    }

    private static void collect(Dataset dataset, Expression expression, String field, Set<String> fields) {
        if (expression.isLiteral()) return;
        if (expression.hasNamespace()) {
            throw new InvalidRequestException(field, "{" + expression.toOriginalString() + "}: only the row's columns may be used");
        }
        if (expression.getParts().size() > 1) {
            throw new InvalidRequestException(field, "{" + expression.toOriginalString() + "}: only a column's value may be used");
        }
        String name = expression.getParts().getFirst().getName();
        if (dataset.column(name).isEmpty()) {
            throw new InvalidRequestException(field, "{" + name + "} is not a column of dataset " + dataset.name()
                    + "; columns: " + dataset.columns().keySet());
        }
        fields.add(name);
    }

    /** The dataset columns the template reads. */
    public Set<String> fields() {
        return fields;
    }

    /** The text for one row; a result longer than {@link #MAX_OUTPUT} is an {@link IllegalArgumentException}. */
    public String render(Map<String, ?> row) {
        TemplateInstance instance = template.instance();
        row.forEach(instance::data);
        String text = instance.render();
        if (text.length() > MAX_OUTPUT) {
            throw new IllegalArgumentException("the rendered text is " + text.length() + " characters long; at most " + MAX_OUTPUT);
        }
        return text;
    }
}
