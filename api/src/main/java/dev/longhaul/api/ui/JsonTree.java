package dev.longhaul.api.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * A JSON value as nested HTML lists, every name and value escaped: objects and arrays fold open
 * ({@code details}), leaves show their JSON type by class.
 */
final class JsonTree {
    private JsonTree() {
    }

    static String html(JsonNode node) {
        if (node == null || node.isNull() || node.isEmpty() && node.isContainerNode()) {
            return "<span class=\"json-empty\">none</span>";
        }
        StringBuilder out = new StringBuilder("<div class=\"json-tree\">");
        write(node, out);
        return out.append("</div>").toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            out.append("<ul>");
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var field = it.next();
                item(escape(field.getKey()), field.getValue(), out);
            }
            out.append("</ul>");
        } else if (node.isArray()) {
            out.append("<ol start=\"0\">");
            for (JsonNode element : node) item(null, element, out);
            out.append("</ol>");
        } else {
            String type = node.isTextual() ? "string" : node.isNumber() ? "number" : node.isBoolean() ? "boolean" : "null";
            out.append("<span class=\"json-").append(type).append("\">")
                    .append(escape(node.isTextual() ? "\"" + node.asText() + "\"" : node.toString())).append("</span>");
        }
    }

    private static void item(String name, JsonNode value, StringBuilder out) {
        out.append("<li>");
        String label = name == null ? "" : "<span class=\"json-key\">" + name + "</span>: ";
        if (value.isContainerNode() && !value.isEmpty()) {
            out.append("<details open><summary>").append(label)
                    .append(value.isArray() ? "[" + value.size() + "]" : "{" + value.size() + "}").append("</summary>");
            write(value, out);
            out.append("</details>");
        } else {
            out.append(label);
            if (value.isContainerNode()) out.append(value.isArray() ? "[]" : "{}");
            else write(value, out);
        }
        out.append("</li>");
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
