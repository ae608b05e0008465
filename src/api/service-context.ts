/** The service context (org, actor, clock, request id) of a request, in the shape service verbs take: the one builder for the API and the pages. */
import type { Context } from 'hono';
import { principalOf } from '../auth/require-role.ts';
import type { OrgContext } from '../services/auth/context.ts';
import type { AppBindings } from './context.ts';

export function orgContext(c: Context<AppBindings>): OrgContext {
  const { db, clock } = c.get('deps');
  return { db, clock, principal: principalOf(c), requestId: c.get('requestId') };
}
