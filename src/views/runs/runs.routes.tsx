/**
 * Run pages: the wizard (GET/POST /runs/new, impact preview), a run with what its status calls for (solve,
 * live progress with cancel, review with conflicts resolved inline, approve with a confirmation, commit, the
 * result with exports and notices, rollback inside the org's window with its result), the account table and one account's explanation, and the comparison of
 * two proposals. Every change goes through a service verb; htmx requests get fragments.
 */
import { Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { approvalRoutes } from './approval.routes.tsx';
import { compareRoutes } from './compare.routes.tsx';
import { conflictRoutes } from './conflicts.routes.tsx';
import { runRoutes } from './run.routes.tsx';
import { runAccountRoutes } from './run-accounts.routes.tsx';
import { wizardRoutes } from './wizard.routes.tsx';

/** The run pages, each group in its own file; the order is the order routes match in. */
export function runPages() {
  const router = new Hono<AppBindings>();
  wizardRoutes(router);
  runRoutes(router);
  conflictRoutes(router);
  runAccountRoutes(router);
  approvalRoutes(router);
  compareRoutes(router);
  return router;
}
