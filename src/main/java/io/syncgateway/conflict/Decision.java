package io.syncgateway.conflict;

import io.syncgateway.batch.Rejection;
import io.syncgateway.entity.EntityRow;
import io.vertx.core.json.JsonArray;
import java.util.List;

/**
 * What {@link BatchDecider} decided for a batch: the per-item outcomes and the entity states to
 * write (applied items first, then cascaded tombstones).
 */
public record Decision(int applied, int acknowledged, JsonArray conflicts, JsonArray superseded,
    List<Rejection> rejected, List<EntityRow> writes) {}
