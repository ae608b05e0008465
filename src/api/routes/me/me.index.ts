/** The "me" route group. */
import { principalOf } from '../../../auth/require-role.ts';
import { createRouter } from '../../openapi.ts';
import { getMe, PrincipalSchema } from './me.routes.ts';

export const meRouter = createRouter().openapi(getMe, (c) => {
  // Parsed through the response schema so nothing beyond the contract leaves the server.
  return c.json(PrincipalSchema.parse(principalOf(c)), 200);
});
