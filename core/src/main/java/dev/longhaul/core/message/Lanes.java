package dev.longhaul.core.message;

import java.util.List;

/**
 * Names of the RabbitMQ topology and of the messaging channels, in one place. A lane is a quorum
 * queue {@code longhaul.<lane>} bound to {@link #EXCHANGE} with the lane's name as routing key.
 */
public final class Lanes {
    public static final String EXCHANGE = "longhaul.jobs";
    public static final String DEAD_LETTER_EXCHANGE = "longhaul.jobs.dlx";
    public static final String DEAD_LETTER_QUEUE = "longhaul.dead";

    public static final String DEFAULT = "default";
    public static final String BULK = "bulk";
    public static final String EMAIL = "email";
    public static final List<String> ALL = List.of(DEFAULT, BULK, EMAIL);

    private Lanes() {
    }

    public static String queueName(String lane) {
        return "longhaul." + lane;
    }

    /** The worker's incoming channel for a lane, e.g. {@code lane-default}. */
    public static String inChannel(String lane) {
        return "lane-" + lane;
    }
}
