/**
 * The API keys page (admins: every key of the org; managers: their own); forms post without JavaScript, and
 * htmx swaps just the #api-keys section. The role list offers only the roles the caller may grant.
 */

import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppBindings } from '../../api/context.ts';
import { orgContext } from '../../api/service-context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { GRANTABLE_KEY_ROLES, KEY_MANAGERS, ROLES } from '../../lib/roles.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../services/auth/api-keys.ts';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { ApiKeysContent, ApiKeysSection, type ApiKeysState } from './api-keys-page.tsx';

const CreateForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Give the key a name, e.g. the system that will use it.')
    .max(100, 'Use at most 100 characters.'),
  role: z.enum(ROLES, 'Choose one of the listed roles.'),
});

const Id = z.uuid();

function roleMessage(err: AppError): string | undefined {
  const details = Array.isArray(err.details)
    ? (err.details as Array<{ path?: string; message?: string }>)
    : [];
  const issue = details.find((d) => d.path === 'role');
  return issue ? `${err.message} ${issue.message}` : undefined;
}

export function adminApiKeyPages() {
  const router = new Hono<AppBindings>();
  const keyManagers = requireRole(...KEY_MANAGERS);

  const show = async (
    c: Context<AppBindings>,
    extra: Omit<ApiKeysState, 'keys' | 'csrfToken' | 'grantableRoles' | 'allOfOrg'>,
    status: 200 | 400 | 403 = 200,
  ) => {
    const { db, clock } = c.get('deps');
    const principal = principalOf(c);
    const keys = await listApiKeys({ ctx: { db, clock, principal } });
    const state: ApiKeysState = {
      keys,
      csrfToken: c.get('csrfToken'),
      grantableRoles: GRANTABLE_KEY_ROLES[principal.role],
      allOfOrg: principal.role === 'admin',
      ...extra,
    };
    if (isFragmentRequest(c)) return c.html(<ApiKeysSection {...state} />, status);
    return renderPage(c, 'API keys', <ApiKeysContent {...state} />, status);
  };

  router.get('/admin/api-keys', keyManagers, (c) => show(c, {}));

  router.post('/admin/api-keys', keyManagers, async (c) => {
    const form = await c.req.parseBody();
    const raw = {
      name: typeof form.name === 'string' ? form.name : '',
      role: typeof form.role === 'string' ? form.role : '',
    };
    const parsed = CreateForm.safeParse(raw);
    if (!parsed.success) {
      const errors: { name?: string; role?: string } = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if ((field === 'name' || field === 'role') && !errors[field]) errors[field] = issue.message;
      }
      return show(c, { form: { ...raw, errors } }, 400);
    }
    let created: Awaited<ReturnType<typeof createApiKey>>;
    try {
      created = await createApiKey({
        ctx: orgContext(c),
        input: parsed.data,
      });
    } catch (err) {
      // A role beyond the caller's own rights (a forged option): said next to the role field.
      const roleIssue = err instanceof AppError && err.code === 'FORBIDDEN' ? roleMessage(err) : undefined;
      if (!roleIssue) throw err;
      return show(c, { form: { ...raw, errors: { role: roleIssue } } }, 403);
    }
    // The page shows the key once, in this response; it is never stored or shown again.
    c.header('Cache-Control', 'no-store');
    return show(c, { created: { name: created.apiKey.name, key: created.key } });
  });

  router.post('/admin/api-keys/:id/revoke', keyManagers, async (c) => {
    const id = Id.safeParse(c.req.param('id'));
    if (!id.success) return show(c, { notice: 'That key does not exist.' }, 400);
    const revoked = await revokeApiKey({
      ctx: orgContext(c),
      input: { id: id.data },
    });
    if (isFragmentRequest(c)) return show(c, { notice: `Key “${revoked.name}” revoked.` });
    // Without JavaScript: back to the page (post/redirect/get), so a reload does not post again.
    return c.redirect('/admin/api-keys', 303);
  });

  return router;
}
