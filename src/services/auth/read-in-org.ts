/** A read-only transaction in the caller's org (RLS): the one way read models reach the database. */
import { orgScope, type Principal } from '../../auth/principal.ts';
import type { Database, Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';

/** What a read needs: the database and whose org it reads. */
export interface ReadContext {
  db: Database;
  principal: Principal;
}

export function readInOrg<T>(ctx: ReadContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withOrg(ctx.db, orgScope(ctx.principal), work, { transaction: { accessMode: 'read only' } });
}
