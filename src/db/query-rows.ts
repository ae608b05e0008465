/** Raw SQL rows for both drivers: postgres.js returns an array, PGlite an object with `rows`. */
import type { SQL } from 'drizzle-orm';
import type { Database, Tx } from './client.ts';

export async function queryRows<T extends Record<string, unknown>>(
  tx: Tx | Database,
  query: SQL,
): Promise<T[]> {
  const result: unknown = await tx.execute(query);
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && Array.isArray((result as { rows?: unknown }).rows)) {
    return (result as { rows: T[] }).rows;
  }
  throw new Error('queryRows: the driver returned an unexpected result shape');
}
