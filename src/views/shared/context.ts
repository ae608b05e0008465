/** The service context (org, actor, clock, request id) of a page request, in the shape service verbs take. */
import type { Context } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { orgContext } from '../../api/service-context.ts';

/** The pages' name for the one service-context builder (src/api/service-context.ts). */
export const orgCtx = orgContext;

/** Today (UTC) by the app's clock, as an ISO date. */
export function todayOf(c: Context<AppBindings>): string {
  return c.get('deps').clock().toISOString().slice(0, 10);
}

/** The id of the element an htmx request will swap (htmx 4 sends `HX-Target: tag#id`), or undefined. */
export function hxTargetId(c: Context<AppBindings>): string | undefined {
  const target = c.req.header('hx-target');
  if (!target || c.req.header('hx-request') !== 'true') return undefined;
  const hash = target.indexOf('#');
  return hash >= 0 ? decodeURI(target.slice(hash + 1)) : undefined;
}
