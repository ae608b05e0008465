/**
 * One run: its header (what, why, status, dates), then what its status calls for — solve, a live solving box with
 * a cancel button, the review (per-rep table, charts, balance, conflicts, account table), approval, commit, and
 * the committed result with its exports and notices.
 */
import type { Principal } from '../../auth/principal.ts';
import type { RunSummary } from '../../services/review/review.ts';
import type { RunParamsColumn } from '../../services/run-records/run-columns.ts';
import type { SolveJobProgress } from '../../services/run-records/run-records.ts';
import { CommissionImpactSlot } from '../book/commission-impact.tsx';
import { CsrfField } from '../layout.tsx';
import { Crumbs, Stat, StatusBadge } from '../shared/components.tsx';
import { kindLabel, money, num, scopeLabel, when } from '../shared/format.ts';
import { CommissionDecisionsSlot } from './commission-decisions-panel.tsx';

export type RunRecord = {
  id: string;
  kind: string;
  status: string;
  scope: string;
  reason: string;
  version: number;
  commissionEndDate: string | null;
  reassignmentDate: string | null;
  params: RunParamsColumn;
  createdAt: Date;
  draftedBy: string | null;
  proposalHash: string | null;
  approvedHash: string | null;
  approvedAt: Date | null;
  committedAt: Date | null;
  cancelledAt: Date | null;
  failureReason: string | null;
  solverStatus: string | null;
  solverGap: number | null;
  solverEngine: string | null;
  solveMs: number | null;
};

export interface SolveJob {
  id: string;
  status: string;
  progress: SolveJobProgress;
  error: string | null;
  createdAt: Date;
  cancelRequestedAt: Date | null;
}

export const REVIEW_STATUSES = ['solved', 'in_review', 'approved'];

export function canDraft(p: Principal) {
  return p.role === 'manager' || p.role === 'analyst';
}

const TYPE_LETTER: Record<string, string> = {
  house_absorbs: 'A (House absorbs)',
  direct_transfer: 'B (direct transfer)',
  custom: 'C (custom)',
};

/**
 * How the run's commission follows the owner: the default type; for a segmented strategy, each segment with its
 * receiving rep; for the manual queue, where the decisions are taken.
 */
function CommissionStrategy({ run, names }: { run: RunRecord; names: Map<string, string> }) {
  const p = run.params;
  const typeText = (type: string | undefined, bps: number | undefined) =>
    `${TYPE_LETTER[type ?? 'direct_transfer'] ?? type}${type === 'custom' && bps !== undefined ? ` ${bps / 100}% to the new rep` : ''}`;
  const matchText = (m: Record<string, string | number | undefined>) =>
    [
      m.accountType ? `account type ${m.accountType}` : '',
      m.stage ? `stage ${m.stage}` : '',
      m.region ? `region ${m.region}` : '',
      m.minAmountCents !== undefined ? `deal size from ${money(Number(m.minAmountCents))}` : '',
      m.maxAmountCents !== undefined ? `deal size below ${money(Number(m.maxAmountCents))}` : '',
    ]
      .filter(Boolean)
      .join(', ');
  if (p.commissionStrategy === 'manual') {
    const decided = Object.keys(p.commissionDecisions ?? {}).length;
    return (
      <div id="run-commission-strategy">
        <p>
          Commission: manual queue — a person decides each opportunity’s type ({num(decided)} decided so far;{' '}
          <a href={`/runs/${run.id}/commission-decisions`}>commission decisions</a>).
        </p>
      </div>
    );
  }
  const segments = p.commissionSegments ?? [];
  return (
    <div id="run-commission-strategy">
      <p>
        Commission: {segments.length > 0 ? 'segmented; otherwise ' : ''}type{' '}
        {typeText(p.commissionType, p.customBps)}.
      </p>
      {segments.length > 0 && (
        <ol class="small">
          {segments.map((seg) => (
            <li>
              {matchText(seg.match)} → type {typeText(seg.commissionType, seg.customBps)}
              {seg.receiverRepId && seg.commissionType !== 'house_absorbs'
                ? `, the share to ${names.get(seg.receiverRepId) ?? seg.receiverRepId} (not the new owner)`
                : ''}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

const TARGET_MODE_TEXT: Record<string, string> = {
  equal: 'equal shares',
  seniority: 'weighted by seniority',
  capacity: 'weighted by capacity',
  ramp: 'weighted by ramp target',
};

/** The run's own balancing choices (targets, caps on top of each rep's), when it made any. */
function BalancingChoices({ run }: { run: RunRecord }) {
  const p = run.params;
  const parts = [
    p.targetMode ? `targets ${TARGET_MODE_TEXT[p.targetMode] ?? p.targetMode}` : '',
    p.maxAccountsPerRep !== undefined ? `at most ${num(p.maxAccountsPerRep)} accounts per rep` : '',
    p.maxRevenueCentsPerRep !== undefined ? `at most ${money(p.maxRevenueCentsPerRep)} revenue per rep` : '',
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return <p id="run-balancing">Balancing for this run: {parts.join('; ')}.</p>;
}

function paramsText(run: RunRecord, names: Map<string, string>): string {
  const p = run.params;
  const list = (ids: unknown) =>
    Array.isArray(ids) ? ids.map((id) => names.get(String(id)) ?? String(id)).join(', ') : '';
  switch (run.kind) {
    case 'rep_departure':
      return `Leaving: ${list(p.departingRepIds)}`;
    case 'new_hire':
      return `New hires: ${list(p.hireRepIds)}`;
    case 'realignment':
      return `Regions: ${Array.isArray(p.regions) && p.regions.length ? p.regions.join(', ') : 'all'}${Array.isArray(p.segments) && p.segments.length ? `; segments: ${p.segments.join(', ')}` : ''}`;
    default:
      return p.newOwnerRepId ? `New owner: ${names.get(String(p.newOwnerRepId)) ?? p.newOwnerRepId}` : '';
  }
}

export function RunNav({ run, current }: { run: RunRecord; current: string }) {
  const items: [string, string][] = [
    [`/runs/${run.id}`, 'Overview'],
    [`/runs/${run.id}/accounts`, 'Accounts'],
    [`/runs/${run.id}/compare`, 'Compare'],
    [`/runs/${run.id}/audit`, 'Audit trail'],
  ];
  return (
    <nav class="run-nav" aria-label="This run">
      <ul>
        {items.map(([href, label]) => (
          <li>
            <a href={href} aria-current={href === current ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function RunHeader({
  run,
  names,
  current,
}: {
  run: RunRecord;
  names: Map<string, string>;
  current: string;
}) {
  return (
    <>
      <Crumbs items={[{ href: '/', label: 'Runs' }, { label: run.reason }]} />
      <div class="run-head">
        <h1 id="run-title">{run.reason}</h1>
        <StatusBadge status={run.status} />
      </div>
      <dl class="facts inline" id="run-facts">
        <dt>Kind</dt>
        <dd>{kindLabel(run.kind)}</dd>
        <dt>Scope</dt>
        <dd>{scopeLabel(run.kind, run.scope)}</dd>
        {run.commissionEndDate && (
          <>
            <dt>Commission ends</dt>
            <dd>{run.commissionEndDate}</dd>
          </>
        )}
        {run.reassignmentDate && (
          <>
            <dt>New owners from</dt>
            <dd>{run.reassignmentDate}</dd>
          </>
        )}
        <dt>Started</dt>
        <dd>{when(run.createdAt)}</dd>
        <dt>Proposal version</dt>
        <dd>{run.version}</dd>
      </dl>
      <p>{paramsText(run, names)}</p>
      <BalancingChoices run={run} />
      {run.scope !== 'ownership' && <CommissionStrategy run={run} names={names} />}
      <RunNav run={run} current={current} />
      {current === `/runs/${run.id}` &&
        (run.scope !== 'ownership' || run.kind === 'opportunity') &&
        run.commissionEndDate &&
        run.reassignmentDate &&
        [...REVIEW_STATUSES, 'committed'].includes(run.status) && <CommissionImpactSlot runId={run.id} />}
      {current === `/runs/${run.id}` &&
        run.params.commissionStrategy === 'manual' &&
        [...REVIEW_STATUSES, 'draft'].includes(run.status) && <CommissionDecisionsSlot runId={run.id} />}
    </>
  );
}

export function CancelForm({ run, csrfToken }: { run: RunRecord; csrfToken: string }) {
  return (
    <details class="cancel-run">
      <summary>Cancel this run…</summary>
      <form method="post" action={`/runs/${run.id}/cancel`}>
        <CsrfField token={csrfToken} />
        <label for="cancel-reason">Why is it cancelled? (required)</label>
        <input id="cancel-reason" name="reason" type="text" required maxlength={500} />
        <div class="actions">
          <button type="submit" class="danger" id="cancel-run">
            Cancel the run
          </button>
        </div>
      </form>
    </details>
  );
}

/**
 * What the solve is doing now: the part of the solving box that polls (every second, htmx) and is swapped whole.
 * The cancel form stays outside it, so a reason being typed is not wiped by the next poll.
 */
export function SolveStatus({ run, job }: { run: RunRecord; job: SolveJob | null }) {
  const p = job?.progress ?? {};
  const elapsed = job ? Math.max(0, Math.round((Date.now() - job.createdAt.getTime()) / 1000)) : 0;
  const limit = p.timeLimitMs ? Math.round(p.timeLimitMs / 1000) : null;
  return (
    <div
      id="solve-status"
      aria-live="polite"
      hx-get={`/runs/${run.id}/progress`}
      hx-trigger="every 1s"
      hx-target="this"
      hx-swap="outerHTML"
    >
      <p>
        {job?.status === 'queued' && p.phase === 'queued'
          ? 'Queued: every solver slot for your org is busy; this run starts when one is free.'
          : job?.status === 'queued'
            ? 'Waiting for a solver to pick the run up.'
            : p.phase === 'solving'
              ? `Balancing ${num(p.accounts ?? 0)} accounts across the receiving reps.`
              : 'Preparing the book and the rules.'}{' '}
        {elapsed > 0 && `${elapsed} s so far${limit ? ` (time limit ${limit} s)` : ''}.`}
      </p>
      {limit ? <progress max={limit} value={Math.min(elapsed, limit)} /> : <progress />}
      {job?.cancelRequestedAt && <p class="muted">Stopping…</p>}
    </div>
  );
}

export function SolvingBox({
  run,
  job,
  csrfToken,
}: {
  run: RunRecord;
  job: SolveJob | null;
  csrfToken: string;
}) {
  return (
    <section class="card progress-box" id="solve-progress" aria-labelledby="solving-title">
      <h2 id="solving-title">Solving…</h2>
      <SolveStatus run={run} job={job} />
      <p class="muted small">
        This box updates itself; without JavaScript <a href={`/runs/${run.id}`}>reload the page</a>.
      </p>
      <CancelForm run={run} csrfToken={csrfToken} />
    </section>
  );
}

export function SummaryStats({ summary, openBlocking }: { summary: RunSummary; openBlocking: number }) {
  const b = summary.balance;
  return (
    <dl class="stats" id="run-stats">
      <Stat label="Accounts moving">{num(summary.moved)}</Stat>
      <Stat label="Without a new owner">{num(summary.unassigned)}</Stat>
      <Stat label="Overrides (pinned)">{num(summary.pinned)}</Stat>
      <Stat label="Excluded">{num(summary.excluded)}</Stat>
      <Stat label="Blocking conflicts open">
        <span id="open-blocking">{num(openBlocking)}</span>
      </Stat>
      <Stat label="Solver" valueClass="small">
        {b.solverStatus === 'optimal'
          ? 'Proven best (gap 0)'
          : b.solverStatus === 'feasible' || b.solverStatus === 'timeout'
            ? `Good, not proven best (gap ${b.gap === null ? '?' : `${(b.gap * 100).toFixed(1)}%`})`
            : (b.solverStatus ?? '—')}
      </Stat>
    </dl>
  );
}

function fmtCv(cv: number) {
  return `${(cv * 100).toFixed(1)}%`;
}

export function BalanceTable({ summary }: { summary: RunSummary }) {
  const b = summary.balance;
  const row = (label: string, before: typeof b.count, after: typeof b.count, f: (n: number) => string) => (
    <tr>
      <th scope="row">{label}</th>
      <td class="num">
        {f(before.min)} – {f(before.max)}
      </td>
      <td class="num">
        {f(after.min)} – {f(after.max)}
      </td>
      <td class="num">
        {f(before.spread)} → {f(after.spread)}
      </td>
      <td class="num">
        {fmtCv(before.cv)} → {fmtCv(after.cv)}
      </td>
    </tr>
  );
  return (
    <div class="table-wrap">
      <table id="balance-table">
        <caption class="muted">
          Balance over the receiving reps: smaller spread and coefficient of variation (CV) mean a fairer
          split.
        </caption>
        <thead>
          <tr>
            <th scope="col">Load</th>
            <th scope="col" class="num">
              Range before
            </th>
            <th scope="col" class="num">
              Range after
            </th>
            <th scope="col" class="num">
              Spread (max − min)
            </th>
            <th scope="col" class="num">
              CV
            </th>
          </tr>
        </thead>
        <tbody>
          {row('Accounts', b.countBefore, b.count, (n) => num(Math.round(n)))}
          {row('Revenue', b.revenueCentsBefore, b.revenueCents, money)}
        </tbody>
      </table>
      <p class="small" id="lower-bound">
        {b.objective !== null ? (
          <>
            Solver objective <strong>{b.objective.toFixed(2)}</strong>; best possible (lower bound){' '}
            <strong>{b.lowerBound === null ? 'not known' : b.lowerBound.toFixed(2)}</strong>
            {b.gap !== null && (
              <>
                {' '}
                —{' '}
                {b.gap === 0
                  ? 'this proposal is proven the best possible.'
                  : `within ${(b.gap * 100).toFixed(1)}% of the best possible.`}
              </>
            )}
          </>
        ) : (
          'This proposal came from a simple strategy: no optimality bound applies.'
        )}
      </p>
    </div>
  );
}
