/** The admin page for the House user per CRM; the form posts without JavaScript, htmx swaps #house-users. */

import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { orgContext } from '../../api/service-context.ts';
import { requireRole } from '../../auth/require-role.ts';
import { canonicalHouseUserId, HOUSE_CRMS, type HouseCrm } from '../../exports/house-users.ts';
import { getHouseUsers, saveHouseUsers } from '../../services/after/house-users.ts';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { HouseUsersContent, HouseUsersSection, type HouseUsersState } from './house-users-page.tsx';

export function adminHouseUserPages() {
  const router = new Hono<AppBindings>();
  const adminOnly = requireRole('admin');

  const show = async (
    c: Context<AppBindings>,
    extra: Omit<HouseUsersState, 'saved' | 'csrfToken'>,
    status: 200 | 400 = 200,
  ) => {
    const saved = await getHouseUsers({ ctx: orgContext(c) });
    const state: HouseUsersState = { saved, csrfToken: c.get('csrfToken'), ...extra };
    if (isFragmentRequest(c)) return c.html(<HouseUsersSection {...state} />, status);
    return renderPage(c, 'House users', <HouseUsersContent {...state} />, status);
  };

  router.get('/admin/house-users', adminOnly, (c) => show(c, {}));

  router.post('/admin/house-users', adminOnly, async (c) => {
    const body = await c.req.parseBody();
    const form: Partial<Record<HouseCrm, string>> = {};
    const errors: Partial<Record<HouseCrm, string>> = {};
    for (const crm of HOUSE_CRMS) {
      const value = typeof body[crm] === 'string' ? (body[crm] as string).trim() : '';
      form[crm] = value;
      if (value === '') continue;
      const parsed = canonicalHouseUserId(crm, value);
      if (!parsed.ok) errors[crm] = parsed.message;
    }
    if (Object.keys(errors).length > 0) return show(c, { form, errors }, 400);
    await saveHouseUsers({ ctx: orgContext(c), input: form });
    return show(c, { notice: 'House users saved. Exports written from now on use them.' });
  });

  return router;
}
