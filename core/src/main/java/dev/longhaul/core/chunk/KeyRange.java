package dev.longhaul.core.chunk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Filter;
import java.util.ArrayList;
import java.util.List;

/**
 * One partition of a partitioned job: the keys in {@code (after, upTo]} of a dataset with a
 * one-column key, as text; a null bound is open. Partition {@code index} of {@code of}, counted from 0
 * in key order, so the partitions' outputs joined in index order are in key order.
 */
public record KeyRange(int index, int of, String after, String upTo) {

    /** {@code filter} with this range's bounds on the key added: a keyset walk then visits only the range. */
    public Filter narrow(Dataset dataset, Filter filter) {
        Column key = singleKey(dataset);
        List<Filter.Condition> conditions = new ArrayList<>(filter.conditions());
        if (after != null) conditions.add(new Filter.Condition(key, Filter.Op.GT, List.of(after)));
        if (upTo != null) conditions.add(new Filter.Condition(key, Filter.Op.LE, List.of(upTo)));
        return new Filter(List.copyOf(conditions));
    }

    /** The dataset's key column; a partitioned job needs a key of one column. */
    public static Column singleKey(Dataset dataset) {
        if (dataset.key().size() != 1) {
            throw new IllegalArgumentException("dataset '" + dataset.name() + "' has a key of " + dataset.key().size()
                    + " columns; partitions need a key of one column");
        }
        return dataset.key().getFirst();
    }

    /**
     * The ranges between {@code uppers}, the last key of each partition in key order: the first
     * is open below, the last open above.
     */
    public static List<KeyRange> between(List<String> uppers) {
        int of = Math.max(1, uppers.size());
        List<KeyRange> ranges = new ArrayList<>(of);
        String after = null;
        for (int i = 0; i < of; i++) {
            String upTo = i == of - 1 ? null : uppers.get(i);
            ranges.add(new KeyRange(i, of, after, upTo));
            after = upTo;
        }
        return ranges;
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        return mapper.valueToTree(this);
    }

    /** The range in a job's {@code partition} column, or null for a job that is not a partition. */
    public static KeyRange from(JsonNode json) {
        if (json == null || json.isNull()) return null;
        return new KeyRange(json.path("index").asInt(), json.path("of").asInt(), text(json.get("after")), text(json.get("upTo")));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
