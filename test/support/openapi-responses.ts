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
}

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
    const declared = op.responses?.[String(r.status)] ?? op.responses?.default;
    if (!declared)
      return [`status ${r.status} is not declared (declared: ${Object.keys(op.responses ?? {}).join(', ')})`];
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
    const validate = schemaFor(`${r.method} ${r.path} ${r.status}`, media.schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
  }

  return { check };
}
