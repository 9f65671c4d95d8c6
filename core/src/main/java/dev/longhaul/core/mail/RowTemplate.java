package dev.longhaul.core.mail;

import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.kind.InvalidRequestException;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Expression;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.TemplateInstance;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A Qute template filled from one row of a dataset: {@code Dear {name}}. Every name it reads must
 * be a column of the dataset, which is checked when the template is parsed, so a campaign with a
 * misspelt field is refused at submit instead of failing at its first row. Output is plain text.
 */
public final class RowTemplate {
    private static final Engine ENGINE = Engine.builder().addDefaults().strictRendering(true).build();

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

    public String render(Map<String, ?> row) {
        TemplateInstance instance = template.instance();
        row.forEach(instance::data);
        return instance.render();
    }
}
