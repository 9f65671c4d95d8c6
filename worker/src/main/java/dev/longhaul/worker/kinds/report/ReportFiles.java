package dev.longhaul.worker.kinds.report;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a finished report: RFC 4180 CSV, and a self-contained HTML page (inline CSS and SVG, no
 * scripts, no network) with a chart and the table. Input is the merged aggregate, whose size
 * depends on the period, never on the table.
 */
final class ReportFiles {
    private ReportFiles() {
    }

    static String csv(String[] header, List<String[]> rows) {
        StringBuilder out = new StringBuilder();
        line(header, out);
        for (String[] row : rows) line(row, out);
        return out.toString();
    }

    private static void line(String[] cells, StringBuilder out) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) out.append(',');
            String cell = cells[i] == null ? "" : cells[i];
            if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
                out.append('"').append(cell.replace("\"", "\"\"")).append('"');
            } else {
                out.append(cell);
            }
        }
        out.append('\n');
    }

    static String html(String title, String[] header, List<String[]> rows, boolean daily, OffsetDateTime at) {
        StringBuilder out = new StringBuilder(8192 + rows.size() * 80);
        out.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title><style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}")
                .append("table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}")
                .append("th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.bar{fill:#3a7bd5}")
                .append(".axis{stroke:#888}.label{font-size:11px;fill:#555}</style></head><body>");
        out.append("<h1>").append(escape(title)).append("</h1><p>Generated ").append(at).append(" by Longhaul.</p>");
        out.append(daily ? dailyChart(rows) : customerChart(rows));
        out.append("<table><thead><tr>");
        for (String h : header) out.append("<th>").append(escape(h)).append("</th>");
        out.append("</tr></thead><tbody>");
        for (String[] row : rows) {
            out.append("<tr>");
            for (String cell : row) out.append("<td>").append(escape(cell == null ? "" : cell)).append("</td>");
            out.append("</tr>");
        }
        return out.append("</tbody></table></body></html>\n").toString();
    }

    /** Revenue per day, all countries together. */
    private static String dailyChart(List<String[]> rows) {
        Map<String, Long> perDay = new TreeMap<>();
        for (String[] r : rows) perDay.merge(r[0], Long.parseLong(r[3]), Long::sum);
        return bars("Revenue per day", perDay);
    }

    private static String customerChart(List<String[]> rows) {
        Map<String, Long> perCustomer = new LinkedHashMap<>();
        for (String[] r : rows.subList(0, Math.min(rows.size(), 50))) {
            perCustomer.put(r[1] == null ? "#" + r[0] : r[1], Long.parseLong(r[5]));
        }
        return bars("Revenue of the top customers", perCustomer);
    }

    private static String bars(String caption, Map<String, Long> values) {
        int width = 900;
        int height = 260;
        int left = 70;
        int bottom = 30;
        long max = values.values().stream().mapToLong(Long::longValue).max().orElse(1);
        double slot = values.isEmpty() ? 0 : (double) (width - left - 10) / values.size();
        StringBuilder svg = new StringBuilder();
        svg.append("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" role=\"img\" aria-label=\"").append(escape(caption)).append("\">");
        svg.append("<line class=\"axis\" x1=\"").append(left).append("\" y1=\"").append(height - bottom).append("\" x2=\"")
                .append(width).append("\" y2=\"").append(height - bottom).append("\"/>");
        svg.append("<text class=\"label\" x=\"0\" y=\"12\">").append(String.format("%.2f", max / 100.0)).append("</text>");
        svg.append("<text class=\"label\" x=\"0\" y=\"").append(height - bottom).append("\">0</text>");
        int i = 0;
        for (var entry : values.entrySet()) {
            double h = (height - bottom - 10) * (double) entry.getValue() / Math.max(1, max);
            double x = left + i * slot;
            svg.append(String.format("<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s: %.2f</title></rect>",
                    x, height - bottom - h, Math.max(0.5, slot * 0.8), h, escape(entry.getKey()), entry.getValue() / 100.0));
            i++;
        }
        if (!values.isEmpty()) {
            svg.append("<text class=\"label\" x=\"").append(left).append("\" y=\"").append(height - 8).append("\">")
                    .append(escape(values.keySet().iterator().next())).append("</text>");
            String last = values.keySet().stream().reduce((a, b) -> b).orElse("");
            svg.append("<text class=\"label\" text-anchor=\"end\" x=\"").append(width).append("\" y=\"")
                    .append(height - 8).append("\">").append(escape(last)).append("</text>");
        }
        return svg.append("</svg><figcaption>").append(escape(caption)).append("</figcaption></figure>").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
