/**
 * Rollback on a run's page (F12): the form a manager uses inside the org's window (a required reason and a
 * confirmation that states what will change and until when), the closed-window notice, and the result of a
 * rollback (restored counts, records left alone, notices, the inverse file).
 */
import type { Principal } from '../../auth/principal.ts';
import type { RollbackInfo } from '../../services/after/rollback-info.ts';
import { CsrfField } from '../layout.tsx';
import { describedBy, FieldError } from '../shared/components.tsx';
import { num, when } from '../shared/format.ts';
import type { RunRecord } from './run-page.tsx';

export interface RollbackFormState {
  reason: string;
  confirmed: boolean;
  errors: { reason?: string; confirm?: string; form?: string };
}

type Counts = { accounts: number; opportunities: number; splits: number; notices: number } | null;

/** Whether the page may offer the rollback: a committed run, a manager, and the window still open. */
export function canRollBack(run: RunRecord, info: RollbackInfo | null, principal: Principal, now: Date) {
  return (
    run.status === 'committed' &&
    principal.role === 'manager' &&
    info !== null &&
    now.getTime() <= info.deadline.getTime()
  );
}

function Window({ info }: { info: RollbackInfo }) {
  return (
    <>
      <strong id="rollback-deadline">{when(info.deadline)}</strong> ({info.windowHours} hours after the commit
      at {when(info.committedAt)})
    </>
  );
}

export function RollbackPanel({
  run,
  info,
  principal,
  csrfToken,
  now,
  counts,
  state,
}: {
  run: RunRecord;
  info: RollbackInfo | null;
  principal: Principal;
  csrfToken: string;
  now: Date;
  counts: Counts;
  state?: RollbackFormState | undefined;
}) {
  if (run.status !== 'committed' || !info) return null;
  const open = now.getTime() <= info.deadline.getTime();
  const errors = state?.errors ?? {};
  return (
    <section class="card" aria-labelledby="rollback-title" id="rollback">
      <h2 id="rollback-title">Roll back</h2>
      {errors.form && (
        <p class="alert error" role="alert" id="rollback-error">
          {errors.form}
        </p>
      )}
      {!open ? (
        <p id="rollback-closed">
          The rollback window closed at <Window info={info} />. This run can no longer be rolled back here:
          undo its changes with a new run instead.
        </p>
      ) : !canRollBack(run, info, principal, now) ? (
        <p class="muted" id="rollback-open">
          A manager can roll this run back until <Window info={info} />.
        </p>
      ) : (
        <RollbackConfirm run={run} info={info} csrfToken={csrfToken} counts={counts} state={state} />
      )}
    </section>
  );
}

/** What rolling back does, and the form that asks why and for a confirmation. */
function RollbackConfirm({
  run,
  info,
  csrfToken,
  counts,
  state,
}: {
  run: RunRecord;
  info: RollbackInfo;
  csrfToken: string;
  counts: Counts;
  state?: RollbackFormState | undefined;
}) {
  const errors = state?.errors ?? {};
  return (
    <details open={state !== undefined}>
      <summary>Roll back this run…</summary>
      <div id="rollback-confirm">
        <p>
          Rolling back returns{' '}
          <strong>
            {counts
              ? `${num(counts.accounts)} account(s), ${num(counts.opportunities)} opportunity(ies) and ${num(counts.splits)} commission split(s)`
              : 'every record this run changed'}
          </strong>{' '}
          to the owners and splits they had before this run, in one step.
        </p>
        <ul>
          <li>Records changed by someone since the commit are left as they are and listed afterwards.</li>
          <li>Notices not yet sent are cancelled; people already notified get a correction email.</li>
          <li>An inverse file for the CRM lists exactly what was undone.</li>
          <li>It cannot be undone itself.</li>
        </ul>
        <p>
          Possible until <Window info={info} />.
        </p>
      </div>
      <form method="post" action={`/runs/${run.id}/rollback`}>
        <CsrfField token={csrfToken} />
        <label for="rollback-reason">Why is the run rolled back? (required)</label>
        <textarea
          id="rollback-reason"
          name="reason"
          required
          maxlength={2000}
          rows={2}
          {...describedBy('rollback-reason', errors.reason)}
        >
          {state?.reason ?? ''}
        </textarea>
        <FieldError id="rollback-reason" message={errors.reason} />
        <label class="choice" for="rollback-confirm-box">
          <input
            id="rollback-confirm-box"
            name="confirm"
            type="checkbox"
            value="yes"
            required
            checked={state?.confirmed ?? false}
            {...describedBy('rollback-confirm-box', errors.confirm)}
          />
          <span>I understand that the changes above are undone for everyone.</span>
        </label>
        <FieldError id="rollback-confirm-box" message={errors.confirm} />
        <div class="actions">
          <button type="submit" class="danger" id="rollback-run">
            Roll back this run
          </button>
        </div>
      </form>
    </details>
  );
}

const CONFLICT_WORDS: Record<string, string> = {
  changed_since: 'changed since the run',
  history_stale: 'split history changed since the run',
  record_missing: 'record no longer exists',
};

export function RollbackResultPanel({ run, info }: { run: RunRecord; info: RollbackInfo | null }) {
  if (run.status !== 'rolled_back') return null;
  const r = info?.result ?? null;
  return (
    <section class="card" aria-labelledby="rollback-result-title" id="rollback-result">
      <h2 id="rollback-result-title">Rollback result</h2>
      {!r ? (
        <p class="muted">This run was rolled back; its result was not recorded.</p>
      ) : (
        <>
          <p class="alert success" role="status" id="rollback-restored">
            Rolled back {when(r.rolledBackAt)}
            {r.rolledBackBy ? ` by ${r.rolledBackBy}` : ''}: {num(r.restored.accounts)} account(s),{' '}
            {num(r.restored.opportunities)} opportunity(ies) and {num(r.restored.splits)} commission split(s)
            restored to their previous values.
          </p>
          {info?.reason && (
            <p id="rollback-reason-shown">
              Reason: <q>{info.reason}</q>
            </p>
          )}
          <h3>Left alone</h3>
          {r.conflicts.length === 0 ? (
            <p id="rollback-conflicts-none">Nothing changed since the run: every record was restored.</p>
          ) : (
            <>
              <p>
                <strong id="rollback-conflict-count">{num(r.conflicts.length)}</strong> record(s) changed
                since the run and were left as they are. Check each one and correct it by hand if needed:
              </p>
              <ul id="rollback-conflicts">
                {r.conflicts.map((k) => (
                  <li>
                    <strong>
                      {k.object === 'account' ? (
                        <a href={`/accounts/${k.recordId}`}>{k.recordName ?? k.crmId ?? k.recordId}</a>
                      ) : (
                        (k.recordName ?? k.crmId ?? k.recordId)
                      )}
                    </strong>{' '}
                    <span class="muted small">({k.object})</span>{' '}
                    <span class="badge warning">{CONFLICT_WORDS[k.reason] ?? k.reason}</span> — {k.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Notices</h3>
          <p id="rollback-notices">
            {num(r.notices.cancelled)} pending notice(s) cancelled; {num(r.notices.corrections)} correction
            email(s) queued for people already notified.
            {r.notices.unreachable.length > 0 && ` Not reachable: ${r.notices.unreachable.join('; ')}.`}
          </p>
          <p>
            <a href={`/runs/${run.id}/exports/inverse`} id="inverse-export" class="button secondary">
              Download the inverse file (what was undone, for the CRM)
            </a>
          </p>
        </>
      )}
    </section>
  );
}
