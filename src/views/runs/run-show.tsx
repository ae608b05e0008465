/**
 * A run's page as its status calls for: the live solving box, the draft panel, a cancelled note, or the review
 * (approval, before and after, conflicts, solve again) with the committed result, exports and rollback above it.
 */
import type { Context } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import type { Principal } from '../../auth/principal.ts';
import { principalOf } from '../../auth/require-role.ts';
import { exportOverview } from '../../services/after/export-overview.ts';
import { listNotices } from '../../services/after/outbox.ts';
import { changeSetCounts, rollbackInfo } from '../../services/after/rollback-info.ts';
import { repNames } from '../../services/book/rep-list.ts';
import { rulesInForce } from '../../services/plan/diagnose-run.ts';
import { listConflicts } from '../../services/review/changes.ts';
import { getRunSummary, type RunSummary } from '../../services/review/review.ts';
import type { RunsContext } from '../../services/run-records/run-records.ts';
import { renderPage } from '../layout.tsx';
import { CommittedPanel } from './committed-panel.tsx';
import { GroupedConflictsSection } from './conflict-groups.tsx';
import { RulesInForce } from './diagnosis-panel.tsx';
import { DraftPanel } from './draft-panel.tsx';
import { ApprovePanel, Charts, changedReps, RepTable, repsToShow } from './review-parts.tsx';
import { type RollbackFormState, RollbackPanel, RollbackResultPanel } from './rollback-parts.tsx';
import {
  BalanceTable,
  CancelForm,
  canDraft,
  REVIEW_STATUSES,
  RunHeader,
  type RunRecord,
  SolvingBox,
  SummaryStats,
} from './run-page.tsx';
import { loadRun, receiverChoices, runsCtx } from './run-route-context.ts';

interface Shown {
  ctx: RunsContext;
  run: RunRecord;
  principal: Principal;
  csrfToken: string;
  names: Map<string, string>;
  rollbackState?: RollbackFormState;
}

export async function showRun(
  c: Context<AppBindings>,
  rollbackState?: RollbackFormState,
  status: 200 | 409 | 422 | 429 = 200,
  solveRefusal?: string,
) {
  const { run, job } = await loadRun(c);
  const principal = principalOf(c);
  const ctx = runsCtx(c);
  const names = await repNames(ctx);
  const csrfToken = c.get('csrfToken');
  const rules = await rulesInForce({ ctx, input: { runId: run.id } });
  const shown: Shown = { ctx, run, principal, csrfToken, names, ...(rollbackState ? { rollbackState } : {}) };
  let body: unknown;
  if (run.status === 'solving') {
    body = <SolvingBox run={run} job={job} csrfToken={csrfToken} />;
  } else if (run.status === 'draft' || run.status === 'failed') {
    body = <DraftPanel run={run} csrfToken={csrfToken} principal={principal} solveRefusal={solveRefusal} />;
  } else if (run.status === 'cancelled') {
    body = <CancelledCard />;
  } else {
    body = await reviewBody(shown);
  }
  return renderPage(
    c,
    run.reason,
    <>
      <RunHeader run={run} names={names} current={`/runs/${run.id}`} />
      <RulesInForce diagnosis={rules} />
      {rollbackState?.errors.form && run.status !== 'committed' && (
        <p class="alert error" role="alert" id="rollback-error">
          {rollbackState.errors.form}
        </p>
      )}
      {body}
    </>,
    status,
  );
}

function CancelledCard() {
  return (
    <section class="card">
      <h2>Cancelled</h2>
      <p>This run was cancelled and changed nothing. Start a new run if the change is still needed.</p>
    </section>
  );
}

/** The review: the committed result (when there is one), approval, before and after, conflicts, solve again. */
async function reviewBody(s: Shown) {
  const { ctx, run, principal, csrfToken } = s;
  const summary = await getRunSummary({ ctx, input: { runId: run.id } });
  const conflicts = await listConflicts({ ctx, input: { runId: run.id } });
  const openBlocking = conflicts.filter((k) => k.severity === 'blocking' && k.resolution === null).length;
  const receivers = await receiverChoices(ctx);
  const inReview = REVIEW_STATUSES.includes(run.status);
  const committed =
    run.status === 'committed' || run.status === 'rolled_back' ? await committedBody(s) : null;
  return (
    <>
      {committed}
      {inReview && (
        <ApprovePanel
          run={run}
          principal={principal}
          openBlocking={openBlocking}
          moved={summary.moved}
          csrfToken={csrfToken}
        />
      )}
      <BeforeAndAfter run={run} summary={summary} openBlocking={openBlocking} />
      <GroupedConflictsSection
        conflicts={conflicts}
        runId={run.id}
        csrfToken={csrfToken}
        receivers={receivers}
        names={s.names}
        canResolve={inReview && canDraft(principal)}
        runKind={run.kind}
      />
      {inReview && canDraft(principal) && <SolveAgainCard run={run} csrfToken={csrfToken} />}
    </>
  );
}

/** A committed or rolled-back run: what rollback did, the committed result with exports and notices, rollback. */
async function committedBody({ ctx, run, principal, csrfToken, rollbackState }: Shown) {
  const counts = await changeSetCounts(ctx, run.id);
  const { notices } = await listNotices({ ctx, input: { runId: run.id, limit: 100 } });
  const info = await rollbackInfo(ctx, run.id);
  const exports = await exportOverview({ ctx, input: { runId: run.id } });
  return (
    <>
      <RollbackResultPanel run={run} info={info} />
      <CommittedPanel run={run} counts={counts} notices={notices} exports={exports} />
      <RollbackPanel
        run={run}
        info={info}
        principal={principal}
        csrfToken={csrfToken}
        now={ctx.clock()}
        counts={counts}
        state={rollbackState}
      />
    </>
  );
}

function BeforeAndAfter({
  run,
  summary,
  openBlocking,
}: {
  run: RunRecord;
  summary: RunSummary;
  openBlocking: number;
}) {
  const reps = repsToShow(summary);
  return (
    <section class="card" aria-labelledby="summary-title">
      <h2 id="summary-title">Before and after</h2>
      <SummaryStats summary={summary} openBlocking={openBlocking} />
      <h3>Reps whose book changes</h3>
      {changedReps(reps).length === 0 ? (
        <p id="no-book-changes">
          No account changes owner in this run
          {run.kind === 'opportunity'
            ? ': what changes is who owns and earns on the opportunity (see the commission impact).'
            : '.'}
        </p>
      ) : (
        <>
          <Charts reps={changedReps(reps)} />
          <RepTable reps={changedReps(reps)} runId={run.id} />
        </>
      )}
      {reps.length > changedReps(reps).length && (
        <details>
          <summary>All {reps.length} receiving reps, including those whose book stays the same</summary>
          <RepTable reps={reps} runId={run.id} id="rep-table-all" />
        </details>
      )}
      <h3>Balance</h3>
      <BalanceTable summary={summary} />
      <p>
        <a href={`/runs/${run.id}/accounts?moved=1`}>See every account that moves, and why</a>
      </p>
    </section>
  );
}

function SolveAgainCard({ run, csrfToken }: { run: RunRecord; csrfToken: string }) {
  return (
    <section class="card" aria-labelledby="resolve-title">
      <h2 id="resolve-title">Solve again</h2>
      <p class="muted">Overrides stay pinned; everything else is balanced again. An approval is voided.</p>
      <form method="post" action={`/runs/${run.id}/solve`}>
        <input type="hidden" name="_csrf" value={csrfToken} />
        <button type="submit" class="secondary" id="resolve-run">
          Solve again with overrides pinned
        </button>
      </form>
      <CancelForm run={run} csrfToken={csrfToken} />
    </section>
  );
}
