/** One conflict's card on the review (a conflict about a rep): what it is, how it was resolved, or its decision form. */
import type { RepChoice } from '../../services/book/rep-list.ts';
import { CsrfField } from '../layout.tsx';
import { describedBy, FieldError } from '../shared/components.tsx';
import { num, when } from '../shared/format.ts';
import type { ConflictRow } from './review-parts.tsx';

export interface ConflictFormState {
  error?: { note?: string; repId?: string; form?: string };
  values?: { resolution?: string; note?: string; repId?: string };
}

export function ConflictCard({
  conflict,
  runId,
  csrfToken,
  receivers,
  names,
  canResolve,
  state = {},
}: {
  conflict: ConflictRow;
  runId: string;
  csrfToken: string;
  receivers: RepChoice[];
  names: Map<string, string>;
  canResolve: boolean;
  state?: ConflictFormState;
}) {
  const id = `conflict-${conflict.id}`;
  const resolved = conflict.resolution !== null;
  return (
    <article class={resolved ? 'conflict resolved' : 'conflict'} id={id} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>
        <span class={`badge ${conflict.severity}`}>
          {conflict.severity === 'blocking' ? 'Blocks approval' : 'Warning'}
        </span>{' '}
        {conflict.message}
      </h4>
      {conflict.accountId && (
        <p class="small">
          <a href={`/runs/${runId}/accounts/${conflict.accountId}`}>Why this account goes where it goes</a>
        </p>
      )}
      {resolved ? (
        <ConflictResolved conflict={conflict} names={names} id={id} />
      ) : canResolve && conflict.severity === 'blocking' ? (
        <ConflictForm
          conflict={conflict}
          runId={runId}
          csrfToken={csrfToken}
          receivers={receivers}
          state={state}
        />
      ) : (
        <p class="muted small">
          {conflict.severity === 'blocking'
            ? 'Open: a manager or an analyst resolves it.'
            : 'For information: no decision is needed.'}
        </p>
      )}
    </article>
  );
}

/** How a resolved conflict was decided, by whom and when. */
function ConflictResolved({
  conflict,
  names,
  id,
}: {
  conflict: ConflictRow;
  names: Map<string, string>;
  id: string;
}) {
  return (
    <p class="small" id={`${id}-resolution`}>
      Resolved: <strong>{conflict.resolution}</strong>
      {conflict.overrideRepId && ` to ${names.get(conflict.overrideRepId) ?? conflict.overrideRepId}`} — “
      {conflict.note}”{' '}
      <span class="muted">
        ({conflict.details?.resolvedByLabel ?? 'someone'}, {when(conflict.resolvedAt)})
      </span>
    </p>
  );
}

/** The decision form of an open blocking conflict: accept, another owner or exclude, with a note. */
function ConflictForm({
  conflict,
  runId,
  csrfToken,
  receivers,
  state,
}: {
  conflict: ConflictRow;
  runId: string;
  csrfToken: string;
  receivers: RepChoice[];
  state: ConflictFormState;
}) {
  const id = `conflict-${conflict.id}`;
  const v = state.values ?? {};
  const e = state.error ?? {};
  return (
    <form
      method="post"
      action={`/runs/${runId}/conflicts/${conflict.id}`}
      hx-post={`/runs/${runId}/conflicts/${conflict.id}`}
      hx-target={`#${id}`}
      hx-swap="outerHTML"
    >
      <CsrfField token={csrfToken} />
      {e.form && (
        <p class="field-error wide" role="alert">
          {e.form}
        </p>
      )}
      <div>
        <label for={`${id}-decision`}>Decision</label>
        <select id={`${id}-decision`} name="resolution">
          <option value="accept" selected={v.resolution === 'accept'}>
            Accept as proposed
          </option>
          {(conflict.accountId || conflict.repId) && (
            <option value="override" selected={v.resolution === 'override'}>
              Give the account another owner
            </option>
          )}
          {conflict.accountId && (
            <option value="exclude" selected={v.resolution === 'exclude'}>
              Exclude the account (it stays where it is)
            </option>
          )}
        </select>
      </div>
      <div>
        <label for={`${id}-rep`}>New owner (for “another owner”)</label>
        <select id={`${id}-rep`} name="repId" {...describedBy(`${id}-rep`, e.repId)}>
          <option value="">—</option>
          {receivers.map((r) => (
            <option value={r.id} selected={v.repId === r.id}>
              {r.name} ({num(r.accounts)} accounts)
            </option>
          ))}
        </select>
        <FieldError id={`${id}-rep`} message={e.repId} />
      </div>
      <div class="wide">
        <label for={`${id}-note`}>Note — why (required)</label>
        <input
          id={`${id}-note`}
          name="note"
          type="text"
          maxlength={1000}
          value={v.note ?? ''}
          {...describedBy(`${id}-note`, e.note)}
        />
        <FieldError id={`${id}-note`} message={e.note} />
      </div>
      <div class="wide">
        <button type="submit" class="small">
          Resolve
        </button>
      </div>
    </form>
  );
}
