/** The approval confirmation: what approving the run will move, and the hash it pins. */
import { CsrfField } from '../layout.tsx';
import { Crumbs } from '../shared/components.tsx';
import { money, num } from '../shared/format.ts';
import type { RunRecord } from './run-page.tsx';

export function ApproveConfirm({
  run,
  csrfToken,
  moves,
  moved,
  names,
  error,
  blocking = [],
}: {
  run: RunRecord;
  /** Open blocking conflicts: approval is refused while any remain, so the page says which. */
  blocking?: { kind: string; message: string }[];
  csrfToken: string;
  moves: { from: string | null; to: string | null; accounts: number; revenueCents: number }[];
  moved: number;
  names: Map<string, string>;
  error?: string | undefined;
}) {
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody');
  return (
    <>
      <Crumbs
        items={[
          { href: '/', label: 'Runs' },
          { href: `/runs/${run.id}`, label: run.reason },
          { label: 'Approve' },
        ]}
      />
      <section class="card" aria-labelledby="confirm-title">
        <h1 id="confirm-title">Approve “{run.reason}”?</h1>
        {error && (
          <p class="alert error" role="alert" id="approve-error">
            {error}
          </p>
        )}
        {blocking.length > 0 && <OpenBlocking runId={run.id} blocking={blocking} />}
        {run.kind === 'opportunity' ? (
          <p>
            Approving pins exactly this proposal (version {run.version}). When it is committed,{' '}
            <strong id="confirm-count">the opportunity</strong> changes owner and its commission split changes
            as listed below; no account changes owner.
          </p>
        ) : (
          <p>
            Approving pins exactly this proposal (version {run.version}). When it is committed,{' '}
            <strong id="confirm-count">{num(moved)} account(s)</strong> change owner:
          </p>
        )}
        <ul class="confirm-list" id="confirm-moves" hidden={moves.length === 0}>
          {moves.map((m) => (
            <li class="confirm-item">
              {num(m.accounts)} from <strong>{who(m.from)}</strong> to <strong>{who(m.to)}</strong> (
              {money(m.revenueCents)} revenue)
            </li>
          ))}
        </ul>
        <p class="muted">Any later change (an override, an exclusion, a re-solve) voids this approval.</p>
        <ApproveForm run={run} csrfToken={csrfToken} />
      </section>
    </>
  );
}

/** The open blocking conflicts, named (the first 20), that refuse approval. */
function OpenBlocking({ runId, blocking }: { runId: string; blocking: { kind: string; message: string }[] }) {
  return (
    <div class="alert error" role="alert" id="approve-blocking">
      <p>
        {num(blocking.length)} blocking conflict(s) are still open; approval is refused until each is resolved
        on the <a href={`/runs/${runId}#conflicts`}>review page</a>:
      </p>
      <ul>
        {blocking.slice(0, 20).map((k) => (
          <li data-kind={k.kind}>{k.message}</li>
        ))}
      </ul>
      {blocking.length > 20 && <p>… and {num(blocking.length - 20)} more.</p>}
    </div>
  );
}

/** The approval itself: it pins the version and the hash of the proposal shown. */
function ApproveForm({ run, csrfToken }: { run: RunRecord; csrfToken: string }) {
  return (
    <form method="post" action={`/runs/${run.id}/approve`}>
      <CsrfField token={csrfToken} />
      <input type="hidden" name="version" value={String(run.version)} />
      <input type="hidden" name="hash" value={run.proposalHash ?? ''} />
      <label for="approve-note">Note (optional)</label>
      <input id="approve-note" name="note" type="text" maxlength={1000} />
      <div class="actions">
        <button type="submit" id="confirm-approve">
          Approve these changes
        </button>
        <a href={`/runs/${run.id}`}>Back to the review</a>
      </div>
    </form>
  );
}
