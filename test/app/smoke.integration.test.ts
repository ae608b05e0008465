import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createOrgWithUsers, type Harness, signedIn } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('smoke', () => {
  it('serves health and the home page after login', async () => {
    const res = await h.app.request('/health');
    expect(res.status).toBe(200);
    const org = await createOrgWithUsers(h);
    const b = await signedIn(h, org.users.admin);
    const { html } = await b.page('/');
    expect(html).toContain(org.name);
  });
});
