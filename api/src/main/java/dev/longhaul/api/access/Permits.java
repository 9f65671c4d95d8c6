package dev.longhaul.api.access;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.artifact.UploadInfo;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.builtin.BulkJobsKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What a submit may name, for the calling key: the admin kinds, the key's allow-lists of kinds and
 * datasets, and only its own tenant's uploads.
 */
@ApplicationScoped
public class Permits {
    /** Kinds that reach past one tenant (demo data, retention, failure drills): admin only. */
    public static final Set<String> ADMIN_KINDS = Set.of("seed", "purge", "fail");

    @Inject
    Caller caller;
    @Inject
    UploadStore uploads;

    /** Throws {@link MissingRoleException} unless the key may submit {@code kind} with these params. */
    public void check(String kind, JsonNode params) {
        if (ADMIN_KINDS.contains(kind)) caller.require(Role.ADMIN, "the kind '" + kind + "' needs the 'admin' role");
        if (BulkJobsKind.NAME.equals(kind)) checkBulkJobs(params);
        if (!caller.mayUseKind(kind)) {
            throw new MissingRoleException(null, "this key may not submit the kind '" + kind + "'");
        }
        for (String dataset : datasets(params)) {
            if (!caller.mayUseDataset(dataset)) {
                throw new MissingRoleException(null, "this key may not use the dataset '" + dataset + "'");
            }
        }
    }

    /**
     * A bulk cancel or retry is an operator's act, on the key's own tenant's jobs: an admin's may
     * name any tenant, or none for every tenant.
     */
    private void checkBulkJobs(JsonNode params) {
        caller.require(Role.OPERATE, "the kind '" + BulkJobsKind.NAME + "' needs the 'operate' role");
        JsonNode tenant = params == null ? null : params.path("filter").path("tenant");
        if (!caller.has(Role.ADMIN) && (tenant == null || !tenant.isTextual() || !tenant.asText().equals(caller.tenant()))) {
            throw new MissingRoleException(Role.ADMIN, "a '" + BulkJobsKind.NAME
                    + "' job on other tenants' jobs needs the 'admin' role; set filter.tenant to '" + caller.tenant() + "'");
        }
    }

    /** An upload a job names must be the caller's tenant's; another tenant's is as unknown as a missing one. */
    public void checkUpload(String kind, JsonNode params) {
        JsonNode upload = params == null ? null : params.get("upload");
        if (upload == null || !upload.isTextual()) return;
        UUID id;
        try {
            id = UUID.fromString(upload.asText());
        } catch (IllegalArgumentException e) {
            return; // the kind's own validation names a malformed id
        }
        boolean visible = uploads.find(id).filter(UploadInfo::complete).map(u -> caller.scope().includes(u.tenant())).orElse(false);
        if (!visible) {
            throw new InvalidRequestException("params.upload", "no upload " + id + "; send the file to POST /api/uploads first");
        }
    }

    /** The datasets the params name: {@code dataset}, or a segment's {@code segment.dataset}. */
    private static List<String> datasets(JsonNode params) {
        List<String> names = new ArrayList<>();
        if (params == null) return names;
        if (params.path("dataset").isTextual()) names.add(params.path("dataset").asText());
        if (params.path("segment").path("dataset").isTextual()) names.add(params.path("segment").path("dataset").asText());
        return names;
    }
}
