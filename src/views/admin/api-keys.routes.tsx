/** The admin page for API keys; forms post without JavaScript, and htmx swaps just the #api-keys section. */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { ROLES } from '../../lib/roles.ts';
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

export function adminApiKeyPages() {
  const router = new Hono<AppBindings>();
  const adminOnly = requireRole('admin');

  const show = async (
    c: Context<AppBindings>,
    extra: Omit<ApiKeysState, 'keys' | 'csrfToken'>,
    status: 200 | 400 = 200,
  ) => {
    const { db, clock } = c.get('deps');
    const keys = await listApiKeys({ ctx: { db, clock, principal: principalOf(c) } });
    const state: ApiKeysState = { keys, csrfToken: c.get('csrfToken'), ...extra };
    if (isFragmentRequest(c)) return c.html(<ApiKeysSection {...state} />, status);
    return renderPage(c, 'API keys', <ApiKeysContent {...state} />, status);
  };

  router.get('/admin/api-keys', adminOnly, (c) => show(c, {}));

  router.post('/admin/api-keys', adminOnly, async (c) => {
    const { db, clock } = c.get('deps');
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
    const created = await createApiKey({
      ctx: { db, clock, principal: principalOf(c), requestId: c.get('requestId') },
      input: parsed.data,
    });
    // The page shows the key once, in this response; it is never stored or shown again.
    c.header('Cache-Control', 'no-store');
    return show(c, { created: { name: created.apiKey.name, key: created.key } });
  });

  router.post('/admin/api-keys/:id/revoke', adminOnly, async (c) => {
    const { db, clock } = c.get('deps');
    const id = Id.safeParse(c.req.param('id'));
    if (!id.success) return show(c, { notice: 'That key does not exist.' }, 400);
    const revoked = await revokeApiKey({
      ctx: { db, clock, principal: principalOf(c), requestId: c.get('requestId') },
      input: { id: id.data },
    });
    if (isFragmentRequest(c)) return show(c, { notice: `Key “${revoked.name}” revoked.` });
    // Without JavaScript: back to the page (post/redirect/get), so a reload does not post again.
    return c.redirect('/admin/api-keys', 303);
  });

  return router;
}
