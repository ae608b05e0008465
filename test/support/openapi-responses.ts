/**
 * Checks a response against the served OpenAPI document: the status is declared for the operation, the content
 * type is one the status declares, and a JSON body matches the declared schema in full (types, nullability,
 * enums, required and extra properties as the document says), using Ajv's JSON Schema 2020-12 (OpenAPI 3.1).
 * Reusable: build one validator per document, then call `check` for any response of any suite.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is arbitrary JSON.
type Doc = any;
type Validate = ((body: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string }> | null;
};

export interface ResponseToCheck {
  method: string;
  /** The document's path template, e.g. /v1/runs/{id}. */
  path: string;
  status: number;
  contentType: string | null;
  body: string;
  /** The response's headers; when given, each is checked against the document (see checkHeaders). */
  headers?: Headers;
}

/** Headers of the transport, not of the API: never documented per response. */
const TRANSPORT_HEADERS = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'date',
  'keep-alive',
]);

export function createResponseValidator(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const compiled = new Map<string, Validate>();
  const schemaFor = (key: string, schema: unknown) => {
    let validate = compiled.get(key);
    if (!validate) {
      // The document's components travel with each schema, so #/components/schemas/... refs resolve.
      validate = ajv.compile({ ...(schema as object), components: doc.components }) as Validate;
      compiled.set(key, validate);
    }
    return validate;
  };

  /** The problems of one response; an empty list when it matches the document. */
  function check(r: ResponseToCheck): string[] {
    const op =
      doc.paths?.[r.path.replace(/^\/v1/, '')]?.[r.method.toLowerCase()] ??
      doc.paths?.[r.path]?.[r.method.toLowerCase()];
    if (!op) return [`${r.method} ${r.path} is not in the document`];
    const declared: Doc = op.responses?.[String(r.status)] ?? op.responses?.default;
    if (!declared)
      return [`status ${r.status} is not declared (declared: ${Object.keys(op.responses ?? {}).join(', ')})`];
    const headerProblems = r.headers ? checkHeaders(declared.headers ?? {}, r.headers) : [];
    return [...headerProblems, ...checkBody(r, declared)];
  }

  /**
   * Every header the response carries is documented for its status (or, for the headers every response
   * carries, in the document's `x-response-headers`), every required one is present, and each value matches its
   * schema's type, enum or const.
   */
  function checkHeaders(declared: Record<string, { required?: boolean; schema?: Doc }>, headers: Headers) {
    const problems: string[] = [];
    const resolveHeader = (h: Doc) => (h?.$ref ? doc.components?.headers?.[h.$ref.split('/').pop()] : h);
    const documented = new Map(
      Object.entries(declared).map(([name, h]) => [name.toLowerCase(), resolveHeader(h)]),
    );
    const everywhere = new Set<string>(
      ((doc['x-response-headers'] ?? []) as string[]).map((name) => name.toLowerCase()),
    );
    for (const [name, value] of headers.entries()) {
      if (TRANSPORT_HEADERS.has(name) || everywhere.has(name)) continue;
      const header = documented.get(name);
      if (!header) {
        problems.push(`header ${name} is not documented for this status`);
        continue;
      }
      const schema = header.schema?.$ref
        ? doc.components?.schemas?.[header.schema.$ref.split('/').pop()]
        : header.schema;
      if (schema?.const !== undefined && value !== String(schema.const))
        problems.push(`header ${name}: ${value} is not ${schema.const}`);
      if (schema?.enum && !schema.enum.map(String).includes(value))
        problems.push(`header ${name}: ${value} is not one of ${schema.enum.join(', ')}`);
      if (schema?.type === 'integer' && !/^\d+$/.test(value))
        problems.push(`header ${name}: ${value} is not an integer`);
    }
    for (const [name, header] of documented) {
      if (header.required && !headers.has(name)) problems.push(`required header ${name} is missing`);
    }
    return problems;
  }

  function checkBody(r: ResponseToCheck, declared: Doc): string[] {
    const content = declared.content as Record<string, { schema?: unknown }> | undefined;
    if (!content)
      return r.body === '' ? [] : [`status ${r.status} declares no body, got ${r.body.slice(0, 80)}`];
    const mediaType = (r.contentType ?? '').split(';')[0]!.trim();
    const media = content[mediaType];
    if (!media)
      return [
        `content type "${mediaType}" is not declared for ${r.status} (declared: ${Object.keys(content).join(', ')})`,
      ];
    if (mediaType !== 'application/json' || !media.schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      return ['the body is not JSON'];
    }
    const validate = schemaFor(`${r.method} ${r.path} ${r.status} ${mediaType}`, media.schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
  }

  const templates = Object.keys(doc.paths ?? {}).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    // A literal segment beats a parameter: /runs/compare is not /runs/{id}.
    params: (template.match(/\{/g) ?? []).length,
  }));
  templates.sort((a, b) => a.params - b.params);

  /** The document's path template of a request path (e.g. /v1/runs/1f… → /v1/runs/{id}), or null when none. */
  function templateOf(method: string, pathname: string): string | null {
    const m = method.toLowerCase();
    const found = templates.find((t) => t.pattern.test(pathname) && doc.paths[t.template][m]);
    return found?.template ?? null;
  }

  return { check, templateOf };
}
