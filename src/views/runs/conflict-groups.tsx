/**
 * Conflicts on the review page, one card per account with every reason it has (issue 13): a deal closing and a
 * protection are two reasons of one decision, not two cards. Each card resolves all of its account's open reasons
 * at once (accept, another owner, exclude, with a note); the bulk form does the same for the ticked accounts or all
 * accounts with an open conflict of one kind, with one note. A split the commit cannot write is never accepted: its
 * card offers another commission type or share for the opportunity (split-way-out.tsx), besides the account's
 * decision (an opportunity-level run has none: a link to cancel instead). Every resolution swaps the whole section, so its
 * counters update in place, and the approval panel out of band. Conflicts about a rep (over a cap) keep their own
 * card. A resolved reason no longer says it blocks approval; a card of warnings alone says it does not block it.
 */

import type { RepChoice } from '../../services/book/rep-list.ts';
import { acceptRefusal, isUnwritableSplit } from '../../services/review/conflict-rules.ts';
import { CsrfField } from '../layout.tsx';
import { num, when } from '../shared/format.ts';
import { ConflictCard } from './conflict-card.tsx';
import { type ConflictRow, kindTitle } from './review-parts.tsx';
import { SplitWayOut } from './split-way-out.tsx';

interface SectionProps {
  conflicts: ConflictRow[];
  runId: string;
  csrfToken: string;
  receivers: RepChoice[];
  names: Map<string, string>;
  canResolve: boolean;
  /** The run's kind: an opportunity-level run has no account to exclude or give to another rep. */
  runKind: string;
  /** An error of the last resolution, shown at the top of the section. */
  error?: string | undefined;
  /** What the last resolution did, when the section no longer shows it (the conflict is gone). */
  notice?: string | undefined;
}

const isOpenBlocking = (c: ConflictRow) => c.severity === 'blocking' && c.resolution === null;

function Reason({ c, names }: { c: ConflictRow; names: Map<string, string> }) {
  const resolved = c.resolution !== null;
  return (
    <li class={resolved ? 'resolved' : ''} data-kind={c.kind}>
      <span class={`badge ${resolved ? 'resolved' : c.severity}`}>
        {resolved ? 'Resolved' : c.severity === 'blocking' ? 'Blocks approval' : 'Warning'}
      </span>{' '}
      <strong>{kindTitle(c.kind)}:</strong> {c.message}
      {resolved && (
        <span class="small muted">
          {' '}
          — {c.resolution}
          {c.overrideRepId && ` to ${names.get(c.overrideRepId) ?? c.overrideRepId}`}: “{c.note}” (
          {c.details?.resolvedByLabel ?? 'someone'}, {when(c.resolvedAt)})
        </span>
      )}
    </li>
  );
}

function Decision({
  idPrefix,
  receivers,
  canAccept,
}: {
  idPrefix: string;
  receivers: RepChoice[];
  canAccept: boolean;
}) {
  return (
    <>
      <div>
        <label for={`${idPrefix}-decision`}>Decision</label>
        <select id={`${idPrefix}-decision`} name="resolution">
          {canAccept && <option value="accept">Accept as proposed</option>}
          <option value="override">Give the account(s) another owner</option>
          <option value="exclude">Exclude (it stays where it is)</option>
        </select>
      </div>
      <div>
        <label for={`${idPrefix}-rep`}>New owner (for “another owner”)</label>
        <select id={`${idPrefix}-rep`} name="repId">
          <option value="">—</option>
          {receivers.map((r) => (
            <option value={r.id}>
              {r.name}
              {r.region ? `, ${r.region}` : ''} ({num(r.accounts)} accounts)
            </option>
          ))}
        </select>
      </div>
      <div class="wide">
        <label for={`${idPrefix}-note`}>Note — why (required)</label>
        <input id={`${idPrefix}-note`} name="note" type="text" maxlength={1000} />
      </div>
    </>
  );
}

function AccountCard({
  accountId,
  rows,
  props,
}: {
  accountId: string;
  rows: ConflictRow[];
  props: SectionProps;
}) {
  const id = `account-conflicts-${accountId}`;
  const open = rows.filter(isOpenBlocking);
  const canAccept = open.every((c) => acceptRefusal(c.kind, c.details?.key) === null);
  // A split the commit cannot write: another type or share for its opportunity, besides exclusion.
  const retypable = open.filter(
    (c) => c.kind === 'split_not_100' && c.opportunityId && isUnwritableSplit(c.kind, c.details?.key),
  );
  // An opportunity-level run hands over only this opportunity: no account to exclude or give away.
  const accountForm = !(
    props.runKind === 'opportunity' && open.every((c) => isUnwritableSplit(c.kind, c.details?.key))
  );
  return (
    <article class={open.length > 0 ? 'conflict' : 'conflict resolved'} id={id} data-account={accountId}>
      <AccountCardTitle accountId={accountId} rows={rows} open={open.length} props={props} />
      <ul class="reasons">
        {rows.map((c) => (
          <Reason c={c} names={props.names} />
        ))}
      </ul>
      {props.canResolve &&
        retypable.map((c) => (
          <SplitWayOut conflictId={c.id} runId={props.runId} csrfToken={props.csrfToken} />
        ))}
      {props.canResolve && open.length > 0 && !accountForm && (
        <p class="small">
          Or leave the opportunity as it is: <a href="#resolve-title">cancel this run</a> (it keeps its owner
          and split).
        </p>
      )}
      {props.canResolve && open.length > 0 && accountForm && (
        <AccountDecisionForm
          accountId={accountId}
          open={open.length}
          retypable={retypable.length > 0}
          canAccept={canAccept}
          props={props}
        />
      )}
    </article>
  );
}

/** The card's title: the tick for the bulk form, whether it blocks approval, how many reasons, the account's why. */
function AccountCardTitle({
  accountId,
  rows,
  open,
  props,
}: {
  accountId: string;
  rows: ConflictRow[];
  open: number;
  props: SectionProps;
}) {
  // A card of warnings alone never blocked approval: it must not say it no longer does.
  const everBlocked = rows.some((c) => c.severity === 'blocking');
  const badge =
    open > 0 ? 'Blocks approval' : everBlocked ? 'No longer blocks approval' : 'Does not block approval';
  return (
    <h4>
      {props.canResolve && open > 0 && (
        <input
          type="checkbox"
          name="accountIds"
          value={accountId}
          form="conflicts-bulk"
          aria-label="Tick for the bulk decision"
        />
      )}{' '}
      <span class={`badge ${open > 0 ? 'blocking' : 'resolved'}`}>{badge}</span> {rows.length} reason(s) on
      this account{' '}
      <a class="small" href={`/runs/${props.runId}/accounts/${accountId}`}>
        why it goes where it goes
      </a>
    </h4>
  );
}

/** One decision for every open reason of the account. */
function AccountDecisionForm({
  accountId,
  open,
  retypable,
  canAccept,
  props,
}: {
  accountId: string;
  open: number;
  retypable: boolean;
  canAccept: boolean;
  props: SectionProps;
}) {
  return (
    <form
      method="post"
      action={`/runs/${props.runId}/conflicts/account/${accountId}`}
      hx-post={`/runs/${props.runId}/conflicts/account/${accountId}`}
      hx-target="#conflicts"
      hx-swap="outerHTML"
    >
      <CsrfField token={props.csrfToken} />
      {retypable && (
        <p class="wide">
          <strong>Or decide for the whole account</strong> (excluded, it keeps its owner and split)
        </p>
      )}
      <Decision
        idPrefix={`account-conflicts-${accountId}`}
        receivers={props.receivers}
        canAccept={canAccept}
      />
      <div class="wide">
        <button type="submit" class="small">
          Resolve {open > 1 ? `all ${open} reasons` : ''}
        </button>
      </div>
    </form>
  );
}

/** One decision for the ticked accounts, or for every account with an open reason of one kind. */
function BulkForm({ props, openKinds }: { props: SectionProps; openKinds: string[] }) {
  const { conflicts } = props;
  return (
    <form
      id="conflicts-bulk"
      class="card"
      method="post"
      action={`/runs/${props.runId}/conflicts/bulk`}
      hx-post={`/runs/${props.runId}/conflicts/bulk`}
      hx-target="#conflicts"
      hx-swap="outerHTML"
    >
      <CsrfField token={props.csrfToken} />
      <h3>Decide many at once, with one note</h3>
      <div>
        <label for="conflicts-bulk-which">Which accounts</label>
        <select id="conflicts-bulk-which" name="which">
          <option value="ticked">The ticked accounts</option>
          {openKinds.map((k) => (
            <option value={`kind:${k}`}>
              Every account with an open “{kindTitle(k)}” (
              {conflicts.filter((c) => isOpenBlocking(c) && c.kind === k).length})
            </option>
          ))}
        </select>
      </div>
      <Decision idPrefix="conflicts-bulk" receivers={props.receivers} canAccept />
      <div class="wide">
        <button type="submit" class="small" id="conflicts-bulk-resolve">
          Apply to them
        </button>
      </div>
    </form>
  );
}

export function GroupedConflictsSection(props: SectionProps) {
  const { conflicts } = props;
  const byAccount = new Map<string, ConflictRow[]>();
  const repLevel: ConflictRow[] = [];
  for (const c of conflicts) {
    if (c.accountId) byAccount.set(c.accountId, [...(byAccount.get(c.accountId) ?? []), c]);
    else repLevel.push(c);
  }
  const accounts = [...byAccount].sort(
    ([, a], [, b]) => Number(b.some(isOpenBlocking)) - Number(a.some(isOpenBlocking)) || b.length - a.length,
  );
  const openAccounts = accounts.filter(([, rows]) => rows.some(isOpenBlocking)).length;
  const openBlocking = conflicts.filter(isOpenBlocking).length;
  const openKinds = [
    ...new Set(conflicts.filter((c) => isOpenBlocking(c) && c.accountId).map((c) => c.kind)),
  ];
  const shown = accounts.slice(0, 100);
  return (
    <section class="card" aria-labelledby="conflicts-title" id="conflicts">
      <h2 id="conflicts-title">
        Conflicts: <span id="conflicts-open-accounts">{num(openAccounts)}</span> account(s) and{' '}
        <span id="conflicts-open-blocking">{num(openBlocking)}</span> blocking reason(s) open, of{' '}
        {num(conflicts.length)}
      </h2>
      {props.error && (
        // Focused when it arrives (htmx focuses [autofocus] after a swap), so the page scrolls to it: the decision
        // that caused it was made on a card further down, and the section's top is out of view from there.
        <p class="field-error wide" role="alert" id="conflicts-error" tabindex={-1} autofocus>
          {props.error}
        </p>
      )}
      {props.notice && !props.error && (
        <p class="alert success" role="status" id="conflicts-notice">
          {props.notice}
        </p>
      )}
      {conflicts.length === 0 ? (
        <p class="muted">Nothing needs a decision: no conflict was found.</p>
      ) : (
        <>
          {/* An opportunity-level run concerns one account: its card decides it. */}
          {props.canResolve && openKinds.length > 0 && props.runKind !== 'opportunity' && (
            <BulkForm props={props} openKinds={openKinds} />
          )}
          {shown.map(([accountId, rows]) => (
            <AccountCard accountId={accountId} rows={rows} props={props} />
          ))}
          {accounts.length > shown.length && (
            <p class="muted small">
              {accounts.length - shown.length} more account(s): decide them by kind above, or open the{' '}
              <a href={`/runs/${props.runId}/accounts?conflict=1`}>account table by open conflicts</a>.
            </p>
          )}
          {repLevel.length > 0 && <h3>About a rep</h3>}
          {repLevel.map((c) => (
            <ConflictCard
              conflict={c}
              runId={props.runId}
              csrfToken={props.csrfToken}
              receivers={props.receivers}
              names={props.names}
              canResolve={props.canResolve}
            />
          ))}
        </>
      )}
    </section>
  );
}
