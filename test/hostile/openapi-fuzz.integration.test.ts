/**
 * Issue 15 / RELIABILITY 20: a schema-driven fuzz of EVERY operation of the OpenAPI document, as every role of
 * org A and anonymously, with valid ids of A, ids of org B, malformed ids, and mutated query strings and
 * bodies (NUL and control characters, lone surrogates, huge strings, deep nesting, impossible dates, wrong
 * types). Asserts: no 5xx; every error is the error contract; every 2xx JSON body carries the properties its
 * declared schema requires; no id of org B in any answer. FUZZ_RUNS sets the count (about 3,000 requests in CI).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../../src/api/errors.ts';
import { openApiDocument } from '../../src/api/openapi.ts';
import { ROLES, type Role } from '../../src/lib/roles.ts';
import { createRunFixture } from '../api/run-actions/run-fixture.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  ORIGIN,
} from '../app/harness.ts';
import { createResponseValidator } from '../support/openapi-responses.ts';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked as plain JSON.
type Json = any;

interface Side {
  keys: Record<Role, string>;
  ids: string[];
  secrets: string[];
}

let h: Harness;
let doc: Json;
const sides: Side[] = [];
// About 3,000 requests (46 per operation) in CI. Measured on this 2-core machine shared with other work: 2,030
// requests in 18–27 s at load 8–11, 4,060 in 80 s at load 11; 3,000 stays within about 60–90 s of the CI run.
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '2', REQUEST_MAX_BYTES: String(256 * 1024) });
  for (const name of ['Fuzz A', 'Fuzz B']) {
    const org = await createOrgWithUsers(h, name);
    const keys = {} as Record<Role, string>;
    for (const role of ROLES) keys[role] = (await apiKeyFor(h, org.id, role)).key;
    const f = await createRunFixture(h.db.db, org.id, { accounts: 3 });
    const g = await createRunFixture(h.db.db, org.id, { accounts: 2, approved: true });
    const ids = [
      f.run.id,
      g.run.id,
      ...f.accounts.map((a) => a.id),
      f.departing.id,
      ...f.receivers.map((r) => r.id),
    ];
    sides.push({ keys, ids, secrets: [org.id, ...ids, ...Object.values(org.users).map((u) => u.id)] });
  }
  doc = openApiDocument(h.app);
});
afterAll(async () => {
  await h?.close();
});

interface Operation {
  method: string;
  path: string;
  op: Json;
}

let responsesValidator: ReturnType<typeof createResponseValidator> | undefined;
const responses = {
  check: (r: Parameters<ReturnType<typeof createResponseValidator>['check']>[0]) => {
    responsesValidator ??= createResponseValidator(doc);
    return responsesValidator.check(r);
  },
};

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[method]) out.push({ method, path, op: item[method] });
    }
  }
  return out;
}

function resolve(schema: Json): Json {
  let s = schema;
  for (let i = 0; i < 10 && s?.$ref; i++) s = doc.components.schemas[s.$ref.split('/').pop()];
  return s;
}

const hostileString = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\u0007',
    '\ud800',
    'x'.repeat(20_000),
    '',
    ' ',
    '2026-13-45',
    '0000-00-00',
  ),
  fc.constantFrom(
    'not-a-uuid',
    '00000000-0000-0000-0000-000000000000',
    '-1',
    '1e309',
    'null',
    '<script>',
    '../..',
  ),
  fc.string({ maxLength: 20 }),
);

/** A value for a schema: mostly its example or a plausible one, sometimes a hostile mutation. */
function valueFor(schema: Json, own: string[], other: string[]): fc.Arbitrary<unknown> {
  const s = resolve(schema) ?? {};
  const plausible: fc.Arbitrary<unknown>[] = [];
  if (s.example !== undefined) plausible.push(fc.constant(s.example));
  if (s.enum) plausible.push(fc.constantFrom(...s.enum));
  if (s.format === 'uuid') plausible.push(fc.constantFrom(...own, ...other));
  if (s.type === 'integer' || s.type === 'number') plausible.push(fc.integer({ min: -5, max: 5000 }));
  if (s.type === 'boolean') plausible.push(fc.boolean());
  if (s.type === 'string')
    plausible.push(fc.constantFrom('2026-03-31', 'West', 'Dana leaves', ...own.slice(0, 2)));
  if (s.type === 'array') plausible.push(fc.array(fc.constantFrom(...own, ...other, 'x'), { maxLength: 3 }));
  if (s.type === 'object' && s.properties) {
    const entries = Object.entries<Json>(s.properties).slice(0, 12);
    plausible.push(
      fc.record(
        Object.fromEntries(
          entries.map(([k, v]) => [k, fc.constant(null).chain(() => valueFor(v, own, other))]),
        ),
        {
          requiredKeys: (s.required ?? []).filter((k: string) => s.properties[k]),
        },
      ),
    );
  }
  const hostile = fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 }), fc.constant(null));
  return plausible.length > 0
    ? fc.oneof({ arbitrary: fc.oneof(...plausible), weight: 3 }, { arbitrary: hostile, weight: 1 })
    : hostile;
}

const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;

function requestArb(o: Operation) {
  const A = sides[0]!;
  const B = sides[1]!;
  const params: Json[] = [...(o.op.parameters ?? [])];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = o.op.requestBody?.content?.['application/json']?.schema;
  const idArb = fc.oneof(
    { arbitrary: fc.constantFrom(...A.ids), weight: 3 },
    { arbitrary: fc.constantFrom(...B.ids), weight: 2 },
    // Not empty and no slash: those name another route (GET /v1/runs/ is the list), not a bad id.
    {
      arbitrary: hostileString.filter((v) => v.trim() !== '' && !v.includes('/') && !/^\.+$/.test(v)),
      weight: 1,
    },
  );
  return fc.record({
    caller: fc.constantFrom<Role | 'anonymous'>('anonymous', ...ROLES, ...ROLES),
    path: fc.tuple(...pathParams.map(() => idArb), fc.constant(0)),
    query: fc.tuple(
      ...queryParams.map((p) => fc.option(valueFor(p.schema, A.ids, B.ids), { nil: undefined })),
      fc.constant(0),
    ),
    body: bodySchema
      ? fc.oneof(
          { arbitrary: valueFor(bodySchema, A.ids, B.ids).map((v) => JSON.stringify(v)), weight: 4 },
          { arbitrary: fc.constantFrom('', '{', deep, '"\\u0000"', '{"a":"\\ud800"}'), weight: 1 },
        )
      : fc.constant(undefined),
  });
}

function encode(v: unknown) {
  // Lone surrogates cannot be percent-encoded; send the replacement bytes a client would.
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
}

function requiredOf(o: Operation, status: number): string[] | undefined {
  const schema = resolve(o.op.responses?.[String(status)]?.content?.['application/json']?.schema);
  return schema?.type === 'object' ? (schema.required ?? []) : undefined;
}

describe('schema-driven fuzz of every OpenAPI operation', () => {
  it('covers every operation of the document', () => {
    expect(operations().length).toBeGreaterThanOrEqual(60);
  });

  it('no 5xx, error contract on every error, every response (status, content type, body) as the document declares it, nothing of the other org', async () => {
    const ops = operations();
    const perOp = Math.max(3, Math.ceil(RUNS / ops.length));
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const o of ops) {
      await fc.assert(
        fc.asyncProperty(requestArb(o), async (r) => {
          let path = o.path;
          o.op.parameters
            ?.filter((p: Json) => p.in === 'path')
            .forEach((p: Json, i: number) => {
              path = path.replace(`{${p.name}}`, encode(r.path[i]));
            });
          const qs = (o.op.parameters ?? [])
            .filter((p: Json) => p.in === 'query')
            .map((p: Json, i: number) => (r.query[i] === undefined ? '' : `${p.name}=${encode(r.query[i])}`))
            .filter(Boolean)
            .join('&');
          const headers: Record<string, string> = {};
          if (r.caller !== 'anonymous') Object.assign(headers, bearer(sides[0]!.keys[r.caller]));
          if (r.body !== undefined) headers['content-type'] = 'application/json';
          const res = await h.app.request(`${ORIGIN}${path}${qs ? `?${qs}` : ''}`, {
            method: o.method.toUpperCase(),
            headers,
            ...(r.body !== undefined ? { body: r.body } : {}),
          });
          sent += 1;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const text = await res.text();
          const where = `${o.method.toUpperCase()} ${path}?${qs} as ${r.caller} → ${res.status}: ${text.slice(0, 300)}`;
          expect(res.status, where).toBeLessThan(500);
          const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
          if (res.status >= 400 && isJson)
            expect(ErrorBodySchema.safeParse(JSON.parse(text)).success, where).toBe(true);
          if (res.status < 300 && isJson) {
            const body = JSON.parse(text);
            for (const key of requiredOf(o, res.status) ?? [])
              expect(body, `${where} lacks ${key}`).toHaveProperty(key);
          }
          // Status, content type and the whole body as the served document declares them.
          const problems = responses.check({
            method: o.method,
            path: o.path,
            status: res.status,
            contentType: res.headers.get('content-type'),
            body: text,
            headers: res.headers,
          });
          expect(problems, where).toEqual([]);
          // An id the caller sent may be echoed in the error ("Notice <id> was not found"); any other is a leak.
          const sentText = `${path}?${qs} ${r.body ?? ''}`;
          for (const secret of sides[1]!.secrets) {
            if (!sentText.includes(secret)) expect(text, `${where} leaks ${secret}`).not.toContain(secret);
          }
        }),
        { numRuns: perOp, seed: Number(process.env.FUZZ_SEED ?? 15_2026), endOnFailure: true },
      );
    }
    expect(sent).toBeGreaterThanOrEqual(Math.min(RUNS, ops.length * perOp));
    if (process.env.FUZZ_REPORT) console.log(sent, Object.fromEntries(statuses));
    // Successes and refusals both happen: the fuzz reaches the handlers, not only the guards.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 600_000);
});
