/** The sign-in form: a real form that works without JavaScript, with errors next to the field they concern. */
import type { DemoHint } from '../../lib/demo.ts';
import { CsrfField } from '../layout.tsx';

export interface LoginFormState {
  email?: string;
  next?: string;
  /** Errors keyed by field; `form` is for problems with the whole attempt (wrong password, throttled). */
  errors?: { email?: string; password?: string; form?: string };
}

export function LoginContent({
  state,
  csrfToken,
  demo,
  firstRun = false,
}: {
  state: LoginFormState;
  csrfToken: string;
  demo?: DemoHint;
  /** A fresh install with no org yet: say where to start. */
  firstRun?: boolean;
}) {
  const errors = state.errors ?? {};
  return (
    <section class="card narrow" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Bookshift</h1>
      {firstRun && (
        <p class="alert" role="status">
          This install has no org yet. Open the setup link the server printed when it started (
          <code>/setup?token=…</code>), or create the org and its first admin with{' '}
          <code>npx bookshift org create</code> and <code>npx bookshift user add</code>.
        </p>
      )}
      {errors.form && (
        <p class="alert error" role="alert" id="form-error">
          {errors.form}
        </p>
      )}
      <LoginForm state={state} csrfToken={csrfToken} />
      {demo && <DemoAccounts demo={demo} />}
    </section>
  );
}

/** Email and password, each with its error; the next page kept in a hidden field. */
function LoginForm({ state, csrfToken }: { state: LoginFormState; csrfToken: string }) {
  const errors = state.errors ?? {};
  return (
    <form method="post" action="/login" novalidate>
      <CsrfField token={csrfToken} />
      {state.next && <input type="hidden" name="next" value={state.next} />}
      <label for="email">Email</label>
      <input
        id="email"
        name="email"
        type="email"
        autocomplete="username"
        required
        value={state.email ?? ''}
        aria-invalid={errors.email || errors.form ? 'true' : undefined}
        aria-describedby={errors.email ? 'email-error' : errors.form ? 'form-error' : undefined}
        autofocus
      />
      {errors.email && (
        <p class="field-error" id="email-error">
          {errors.email}
        </p>
      )}
      <label for="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        aria-invalid={errors.password || errors.form ? 'true' : undefined}
        aria-describedby={errors.password ? 'password-error' : undefined}
      />
      {errors.password && (
        <p class="field-error" id="password-error">
          {errors.password}
        </p>
      )}
      <div class="actions">
        <button type="submit">Sign in</button>
      </div>
    </form>
  );
}

/** The demo accounts and their password (development only). */
function DemoAccounts({ demo }: { demo: DemoHint }) {
  return (
    <aside class="hint" aria-label="Demo accounts">
      <h2>Demo accounts (development only)</h2>
      <p>
        Password for all: <code>{demo.password}</code>
      </p>
      <ul>
        {demo.users.map((u) => (
          <li>
            <code>{u.email}</code> — {u.role}
          </li>
        ))}
      </ul>
    </aside>
  );
}
