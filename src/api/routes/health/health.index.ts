/** The health route group. */
import { pingDatabase } from '../../../db/tenancy.ts';
import { createRouter } from '../../openapi.ts';
import { getHealth, HealthSchema } from './health.routes.ts';

const started = Date.now();
const PING_TIMEOUT_MS = 2000;

export const healthRouter = createRouter().openapi(getHealth, async (c) => {
  const { db, logger } = c.get('deps');
  const t0 = performance.now();
  let ok = false;
  try {
    await Promise.race([
      pingDatabase(db),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('database ping timed out')), PING_TIMEOUT_MS).unref(),
      ),
    ]);
    ok = true;
  } catch (error) {
    logger.warn('health: database unreachable', { error });
  }
  const body = HealthSchema.parse({
    status: ok ? 'ok' : 'degraded',
    database: ok ? 'ok' : 'unreachable',
    databaseLatencyMs: ok ? Math.round((performance.now() - t0) * 10) / 10 : null,
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
  });
  c.header('Cache-Control', 'no-store');
  return ok ? c.json(body, 200) : c.json(body, 503);
});
