/** The first-run page: a fresh install's org and first admin, behind the one-time token printed at start. */
import { CsrfField } from '../layout.tsx';

export interface SetupFormState {
  token: string;
  values?: Partial<Record<SetupField, string>>;
  /** Errors keyed by field; `form` is for the whole attempt. */
  errors?: Partial<Record<SetupField | 'form', string>>;
}

/** The form's fields, in the order the page shows them. */
export const SETUP_FIELDS = ['orgName', 'slug', 'name', 'email', 'password'] as const;
export type SetupField = (typeof SETUP_FIELDS)[number];

const FIELDS: Array<{ id: SetupField; label: string; type: string; autocomplete: string; hint?: string }> = [
  { id: 'orgName', label: 'Company (org) name', type: 'text', autocomplete: 'organization' },
  {
    id: 'slug',
    label: 'Short name for the org',
    type: 'text',
    autocomplete: 'off',
    hint: 'Lower-case letters, digits and hyphens, e.g. acme. The admin commands use it (bookshift user add --org acme).',
  },
  { id: 'name', label: 'Your name', type: 'text', autocomplete: 'name' },
  { id: 'email', label: 'Your email (you sign in with it)', type: 'email', autocomplete: 'username' },
  {
    id: 'password',
    label: 'Choose a password',
    type: 'password',
    autocomplete: 'new-password',
    hint: 'At least 12 characters.',
  },
];

export function SetupContent({ state, csrfToken }: { state: SetupFormState; csrfToken: string }) {
  const errors = state.errors ?? {};
  return (
    <section class="card narrow" aria-labelledby="setup-title">
      <h1 id="setup-title">Set up Bookshift</h1>
      <p>
        This install has no org yet. Create your org and its first admin; you can then sign in, add people and
        create API keys. This page works once: after it, sign in.
      </p>
      {errors.form && (
        <p class="alert error" role="alert" id="form-error">
          {errors.form}
        </p>
      )}
      <form method="post" action="/setup" novalidate>
        <CsrfField token={csrfToken} />
        <input type="hidden" name="token" value={state.token} />
        {FIELDS.map((f) => (
          <>
            <label for={f.id}>{f.label}</label>
            <input
              id={f.id}
              name={f.id}
              type={f.type}
              autocomplete={f.autocomplete}
              required
              value={f.type === 'password' ? '' : (state.values?.[f.id] ?? '')}
              aria-invalid={errors[f.id] ? 'true' : undefined}
              aria-describedby={errors[f.id] ? `${f.id}-error` : f.hint ? `${f.id}-hint` : undefined}
            />
            {f.hint && !errors[f.id] && (
              <p class="hint" id={`${f.id}-hint`}>
                {f.hint}
              </p>
            )}
            {errors[f.id] && (
              <p class="field-error" id={`${f.id}-error`}>
                {errors[f.id]}
              </p>
            )}
          </>
        ))}
        <div class="actions">
          <button type="submit">Create the org and my admin account</button>
        </div>
      </form>
    </section>
  );
}
