/** An import applying in the background: its progress, polled until it ends. */
import { Crumbs } from '../shared/components.tsx';
import { num } from '../shared/format.ts';
import type { ApplyState } from './import-progress.ts';

export function ProgressBox({ token, state }: { token: string; state: ApplyState }) {
  const done = state.outcome || state.error;
  const p = state.progress;
  const total = p?.total;
  return (
    <div
      id="import-progress"
      class="progress-box"
      aria-live="polite"
      {...(done
        ? {}
        : {
            'hx-get': `/imports/progress/${token}`,
            'hx-trigger': 'every 1s',
            'hx-target': 'this',
            'hx-swap': 'outerHTML',
          })}
    >
      {state.error ? (
        <p class="alert error" role="alert">
          {state.error}
        </p>
      ) : state.outcome ? (
        <>
          <p class={state.outcome.status === 'applied' ? 'alert success' : 'alert error'} id="import-outcome">
            {state.outcome.status === 'applied'
              ? `Imported: ${num(state.outcome.counts.inserted)} new, ${num(state.outcome.counts.updated)} updated, ${num(state.outcome.counts.unchanged)} unchanged, ${num(state.outcome.counts.rejected)} rejected.`
              : `Nothing was imported: ${state.outcome.failureReason ?? 'the file has errors.'}`}
          </p>
          {state.outcome.status === 'applied' && state.outcome.warnings.length > 0 && (
            <p id="import-warnings">
              Imported with a blank amount, stored as unknown (not $0):{' '}
              {state.outcome.warnings.map((w) => `row ${w.row} (${w.column})`).join(', ')}.
            </p>
          )}
          <p>
            <a href={`/imports/${state.outcome.importId}`} id="import-result-link">
              See the import and its error file
            </a>{' '}
            · <a href="/">Back to the dashboard</a>
          </p>
        </>
      ) : (
        <>
          <p>
            {p?.phase === 'writing' ? 'Writing to the book' : 'Checking every row'}: {num(p?.rows ?? 0)}
            {total ? ` of ${num(total)}` : ''} row(s)…
          </p>
          {total ? <progress max={total} value={p?.rows ?? 0} /> : <progress />}
          <p class="muted small">
            This page updates itself. Without JavaScript, <a href={`/imports/progress/${token}`}>reload it</a>
            .
          </p>
        </>
      )}
    </div>
  );
}

export function ProgressPage({ token, state }: { token: string; state: ApplyState }) {
  return (
    <>
      <Crumbs items={[{ href: '/imports', label: 'Imports' }, { label: state.name }]} />
      <section class="card" aria-labelledby="progress-title">
        <h1 id="progress-title">Importing “{state.name}”</h1>
        <ProgressBox token={token} state={state} />
      </section>
    </>
  );
}
