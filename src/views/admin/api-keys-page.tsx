/** The API keys page: create (the key is shown once), list, revoke; admins see the org's keys, managers theirs. */
import type { ROLES } from '../../lib/roles.ts';
import { CsrfField, roleLabel } from '../layout.tsx';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  role: (typeof ROLES)[number];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiKeysState {
  keys: ApiKeyRow[];
  csrfToken: string;
  /** The roles the caller may give a key: none with a right the caller lacks. */
  grantableRoles: readonly (typeof ROLES)[number][];
  /** True for an admin, who sees every key of the org; others see the keys they created. */
  allOfOrg: boolean;
  /** The full key just created: shown once, never again. */
  created?: { name: string; key: string };
  form?: { name?: string; role?: string; errors?: { name?: string; role?: string } };
  notice?: string;
}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '—');

function KeysTable({ keys, csrfToken }: { keys: ApiKeyRow[]; csrfToken: string }) {
  if (keys.length === 0) return <p class="empty">No API keys yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Key</th>
          <th scope="col">Role</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr id={`key-${k.id}`}>
            <td>{k.name}</td>
            <td>
              <code>bks_{k.prefix}_…</code>
            </td>
            <td>{roleLabel(k.role)}</td>
            <td>{when(k.createdAt)}</td>
            <td>{when(k.lastUsedAt)}</td>
            <td>
              {k.revokedAt ? (
                `Revoked ${when(k.revokedAt)}`
              ) : (
                <form
                  method="post"
                  action={`/admin/api-keys/${k.id}/revoke`}
                  hx-post={`/admin/api-keys/${k.id}/revoke`}
                  hx-target="#api-keys"
                  hx-swap="outerHTML"
                >
                  <CsrfField token={csrfToken} />
                  <button type="submit" class="danger" aria-label={`Revoke key ${k.name}`}>
                    Revoke
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The swappable part of the page (htmx targets #api-keys). */
export function ApiKeysSection(state: ApiKeysState) {
  return (
    <div id="api-keys">
      {state.notice && (
        <p class="alert success" role="status">
          {state.notice}
        </p>
      )}
      {state.created && (
        <div class="alert success" role="status" id="new-key">
          <p>
            Key <strong>{state.created.name}</strong> created. Copy it now: it will not be shown again.
          </p>
          <code class="secret">{state.created.key}</code>
        </div>
      )}
      <CreateKeyForm {...state} />
      <section class="card" aria-labelledby="keys-title">
        <h2 id="keys-title">{state.allOfOrg ? 'Keys of this org' : 'Your keys'}</h2>
        <KeysTable keys={state.keys} csrfToken={state.csrfToken} />
      </section>
    </div>
  );
}

export function ApiKeysContent(state: ApiKeysState) {
  return (
    <>
      <h1>API keys</h1>
      <p>
        Other systems call the API with <code>Authorization: Bearer &lt;key&gt;</code>. A key acts in this org
        with the role you give it, never one with a right you do not have. Only a hash is stored.
      </p>
      <ApiKeysSection {...state} />
    </>
  );
}

/** The name and role of a new key, each with its hint or its error. */
function CreateKeyForm(state: ApiKeysState) {
  const errors = state.form?.errors ?? {};
  return (
    <section class="card" aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <form
        method="post"
        action="/admin/api-keys"
        hx-post="/admin/api-keys"
        hx-target="#api-keys"
        hx-swap="outerHTML"
      >
        <CsrfField token={state.csrfToken} />
        <label for="key-name">Name</label>
        <input
          id="key-name"
          name="name"
          type="text"
          maxlength={100}
          required
          value={state.form?.name ?? ''}
          aria-invalid={errors.name ? 'true' : undefined}
          aria-describedby={errors.name ? 'key-name-error' : 'key-name-hint'}
        />
        {errors.name ? (
          <p class="field-error" id="key-name-error">
            {errors.name}
          </p>
        ) : (
          <p class="hint" id="key-name-hint">
            Which system uses it, e.g. “Salesforce sync”.
          </p>
        )}
        <label for="key-role">Role</label>
        <select
          id="key-role"
          name="role"
          aria-invalid={errors.role ? 'true' : undefined}
          aria-describedby={errors.role ? 'key-role-error' : 'key-role-hint'}
        >
          {state.grantableRoles.map((role) => (
            <option value={role} selected={(state.form?.role ?? state.grantableRoles[0]) === role}>
              {roleLabel(role)}
            </option>
          ))}
        </select>
        {errors.role ? (
          <p class="field-error" id="key-role-error">
            {errors.role}
          </p>
        ) : (
          <p class="hint" id="key-role-hint">
            A key never carries more than you may do, so only these roles are offered.
          </p>
        )}
        <div class="actions">
          <button type="submit">Create key</button>
        </div>
      </form>
    </section>
  );
}
