/**
 * The harness holds every /v1 response to the served document: a body, a status, a content type or a header the
 * document does not declare makes the request throw in the test that sent it (so the suite cannot pass over a
 * mismatch), while a response that matches, a page and a path outside the document pass untouched.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/api/openapi.ts';
import { ContractViolation, holdToContract } from '../support/contract.ts';

function appWith(
  handler: (c: { json: (b: unknown, s: number, h?: Record<string, string>) => Response }) => Response,
) {
  const route = createRoute({
    method: 'get',
    path: '/v1/thing',
    responses: {
      200: {
        description: 'A thing.',
        headers: z.object({ 'X-Thing': z.string().optional() }),
        content: {
          'application/json': { schema: z.object({ n: z.number().int(), note: z.string().nullable() }) },
        },
      },
    },
  });
  const app = createRouter();
  app.openapi(route, ((c: never) => handler(c)) as never);
  app.get('/page', (c) => c.html('<p>not in the document</p>'));
  app.get('/v1/unlisted', (c) => c.json({ anything: true }));
  return holdToContract(app);
}

describe('the contract harness', () => {
  it('lets a response that matches the document through', async () => {
    const app = appWith((c) => c.json({ n: 1, note: null }, 200, { 'X-Thing': 'yes' }));
    expect((await app.request('/v1/thing')).status).toBe(200);
    expect((await app.request('/page')).status).toBe(200);
    expect((await app.request('/v1/unlisted')).status).toBe(200);
  });

  it('throws on a body the schema refuses', async () => {
    const app = appWith((c) => c.json({ n: 'one', note: null }, 200));
    await expect(app.request('/v1/thing')).rejects.toThrow(ContractViolation);
    await expect(app.request('/v1/thing')).rejects.toThrow(/\/n must be integer/);
  });

  it('throws on a null the document does not allow, and on a missing field', async () => {
    await expect(appWith((c) => c.json({ n: null, note: null }, 200)).request('/v1/thing')).rejects.toThrow(
      ContractViolation,
    );
    await expect(appWith((c) => c.json({ n: 1 }, 200)).request('/v1/thing')).rejects.toThrow(/note/);
  });

  it('throws on an undeclared status and an undocumented header', async () => {
    await expect(appWith((c) => c.json({ n: 1, note: null }, 202)).request('/v1/thing')).rejects.toThrow(
      /status 202 is not declared/,
    );
    await expect(
      appWith((c) => c.json({ n: 1, note: null }, 200, { 'X-Secret': 'x' })).request('/v1/thing'),
    ).rejects.toThrow(/header x-secret is not documented/);
  });
});
