/** A draft or a failed run: solve it (again), or cancel it; a solve the limits refused says why and what to do. */
import type { Principal } from '../../auth/principal.ts';
import { CsrfField } from '../layout.tsx';
import { CancelForm, canDraft, type RunRecord } from './run-page.tsx';

export function DraftPanel({
  run,
  csrfToken,
  principal,
  solveRefusal,
}: {
  run: RunRecord;
  csrfToken: string;
  principal: Principal;
  /** Why the solve just asked for was refused (the org's solves are all taken), to show beside the button. */
  solveRefusal?: string | undefined;
}) {
  return (
    <section class="card" aria-labelledby="draft-title">
      <h2 id="draft-title">{run.status === 'failed' ? 'The solve failed' : 'Draft'}</h2>
      {run.failureReason && (
        <p class="alert error" role="alert">
          {run.failureReason}
        </p>
      )}
      {solveRefusal && (
        <div class="alert" role="alert" id="solve-refused">
          <p>The solve did not start: {solveRefusal}</p>
          <p>
            The run is kept as it is. See the <a href="/?status=solving">runs solving now</a>, then press
            Solve again.
          </p>
        </div>
      )}
      {canDraft(principal) ? (
        <>
          <form method="post" action={`/runs/${run.id}/solve`}>
            <CsrfField token={csrfToken} />
            <button type="submit" id="solve-run">
              {run.status === 'failed' ? 'Solve again' : 'Solve'}
            </button>
          </form>
          <CancelForm run={run} csrfToken={csrfToken} />
        </>
      ) : (
        <p class="muted">A manager or an analyst solves the run.</p>
      )}
    </section>
  );
}
