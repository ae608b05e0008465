/**
 * The API reference page at /v1/docs, rendered on the server from the OpenAPI document: no CDN, no script,
 * so it works offline and under the strict Content-Security-Policy.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';

/** The document the app serves, and its parts, as @hono/zod-openapi types them. */
type OpenAPIObject = ReturnType<OpenAPIHono['getOpenAPI31Document']>;
type OperationObject = NonNullable<NonNullable<OpenAPIObject['paths']>[string]['get']>;
type ParameterOrRef = NonNullable<OperationObject['parameters']>[number];
type ReferenceObject = Extract<ParameterOrRef, { $ref: string }>;
type ParameterObject = Exclude<ParameterOrRef, ReferenceObject>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  op: OperationObject;
}

export function listOperations(doc: OpenAPIObject): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) out.push({ method, path, op });
    }
  }
  return out;
}

function isRef(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

function rolesOf(op: OperationObject): string {
  const roles = (op as Record<string, unknown>)['x-roles'];
  if (roles === 'public') return 'anyone';
  return Array.isArray(roles) ? roles.join(', ') : 'not declared';
}

function OperationEntry({ method, path, op }: Operation) {
  const params = (op.parameters ?? []).filter((p): p is ParameterObject => !isRef(p));
  const body = op.requestBody && !isRef(op.requestBody) ? op.requestBody.content : undefined;
  return (
    <section class="operation" id={op.operationId}>
      <h3>
        <span class="method">{method.toUpperCase()}</span> <code>{path}</code>
      </h3>
      {op.summary && <p>{op.summary}</p>}
      {op.description && <p class="muted">{op.description}</p>}
      <dl class="facts">
        <dt>Operation id</dt>
        <dd>
          <code>{op.operationId}</code>
        </dd>
        <dt>Roles</dt>
        <dd>{rolesOf(op)}</dd>
        <dt>Responses</dt>
        <dd>
          {Object.entries(op.responses ?? {})
            .map(([status]) => status)
            .join(', ')}
        </dd>
      </dl>
      {params.length > 0 && (
        <table>
          <caption class="muted">Parameters</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">In</th>
              <th scope="col">Required</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {params.map((p) => (
              <tr>
                <td>
                  <code>{p.name}</code>
                </td>
                <td>{p.in}</td>
                <td>{p.required ? 'yes' : 'no'}</td>
                <td>{p.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {body &&
        Object.entries(body).map(([type, media]) => (
          <details>
            <summary>
              Request body <code>{type}</code>
            </summary>
            <pre class="schema">{JSON.stringify(media.schema, null, 2)}</pre>
          </details>
        ))}
    </section>
  );
}

export function ReferenceContent({ doc }: { doc: OpenAPIObject }) {
  const operations = listOperations(doc);
  const tags = [...new Set(operations.flatMap((o) => o.op.tags ?? ['other']))];
  return (
    <article class="card">
      <h1>{doc.info.title}</h1>
      <p>
        Version {doc.info.version}. The machine-readable document is at{' '}
        <a href="/v1/openapi.json">
          <code>/v1/openapi.json</code>
        </a>{' '}
        (OpenAPI {doc.openapi}).
      </p>
      {doc.info.description && <p>{doc.info.description}</p>}
      <p>
        Authenticate with <code>Authorization: Bearer bks_…</code> (an API key an admin creates), or a
        signed-in session with the <code>X-CSRF-Token</code> header on changes. Errors are{' '}
        <code>{'{ code, message, requestId, details? }'}</code>.
      </p>
      {tags.map((tag) => (
        <section aria-labelledby={`tag-${tag}`}>
          <h2 id={`tag-${tag}`}>{tag}</h2>
          {operations
            .filter((o) => (o.op.tags ?? ['other']).includes(tag))
            .map((o) => (
              <OperationEntry {...o} />
            ))}
        </section>
      ))}
    </article>
  );
}
