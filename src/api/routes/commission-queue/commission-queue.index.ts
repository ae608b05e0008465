/** The commission queue route group: list the queue, one item's history, retry items in error. */

import { envSolveTimeLimitMs } from '../../../lib/solve-time-limit.ts';
import { queueItemHistory } from '../../../services/commission-queue/history.ts';
import { listQueue } from '../../../services/commission-queue/list.ts';
import { retryQueueItems } from '../../../services/commission-queue/retry.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  commissionQueueItemHistory,
  listCommissionQueue,
  QueueHistorySchema,
  QueuePageSchema,
  RetryResultSchema,
  retryCommissionQueue,
} from './commission-queue.routes.ts';

export const commissionQueueRouter = createRouter()
  .openapi(listCommissionQueue, async (c) => {
    const q = c.req.valid('query');
    const page = await listQueue({ ctx: orgContext(c), input: q });
    const { items, ...rest } = page;
    // Parsed through the response schema, so a field added to the service never leaks unannounced.
    return c.json(QueuePageSchema.parse({ data: items, ...rest }), 200);
  })
  .openapi(commissionQueueItemHistory, async (c) => {
    const { id } = c.req.valid('param');
    const history = await queueItemHistory({ ctx: orgContext(c), input: { itemId: id } });
    return c.json(QueueHistorySchema.parse(history), 200);
  })
  .openapi(retryCommissionQueue, async (c) => {
    const { itemIds } = c.req.valid('json');
    const result = await retryQueueItems({
      ctx: { ...orgContext(c), solverTimeLimitMs: envSolveTimeLimitMs(c.get('deps').env) },
      input: { itemIds },
    });
    return c.json(RetryResultSchema.parse(result), 200);
  });
