/** The account table of a run (filtered, paged), one account's explanation, and changes to the proposal. */
import type { Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { listRegionsAndSegments } from '../../services/book/book-choices.ts';
import { listRepChoices, repNames } from '../../services/book/rep-list.ts';
import { bulkChange, MAX_BULK_ACCOUNTS } from '../../services/review/changes.ts';
import { explainAccount, listRunAccounts } from '../../services/review/review.ts';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { Crumbs } from '../shared/components.tsx';
import { hxTargetId, orgCtx } from '../shared/context.ts';
import { money, pageNumber, text } from '../shared/format.ts';
import {
  ACCOUNT_ACTIONS,
  type AccountAction,
  AccountChangeFields,
  type AccountEdit,
} from './account-changes.tsx';
import { type AccountFilter, AccountFilters } from './account-filter.tsx';
import { AccountTable } from './run-accounts.tsx';
import { canDraft, REVIEW_STATUSES, RunHeader, type RunRecord } from './run-page.tsx';
import {
  ACCOUNT_PAGE,
  accountFilterOf,
  drafters,
  list,
  loadRun,
  receiverChoices,
  runId,
  runsCtx,
  UUID,
  viewers,
} from './run-route-context.ts';

export function runAccountRoutes(router: Hono<AppBindings>) {
  router.post('/runs/:id/accounts/change', drafters, changeAccounts);
  router.get('/runs/:id/accounts', viewers, accountsPage);
  router.get('/runs/:id/accounts/:accountId', viewers, accountPage);
}

/** The change controls of the account table and page, for those who may change a proposal in review. */
async function accountEdit(c: Context<AppBindings>, run: RunRecord): Promise<AccountEdit | undefined> {
  if (!REVIEW_STATUSES.includes(run.status) || !canDraft(principalOf(c))) return undefined;
  const receivers = (await receiverChoices(orgCtx(c))).map((r) => ({ id: r.id, name: r.name }));
  return { csrfToken: c.get('csrfToken'), receivers };
}

async function changeAccounts(c: Context<AppBindings>) {
  const id = runId(c);
  const form = await c.req.parseBody({ all: true });
  const ids = [...new Set(list(form, 'accountId'))];
  const action = text(form.action) as AccountAction;
  const note = text(form.note);
  const repId = text(form.repId);
  const backRaw = text(form.back);
  // "All matching": every account of the run the table's filter matches, not only the ticked ones.
  const all = text(form.all) === '1';
  // Only back to this run's pages: a posted URL never sends the person elsewhere.
  const back = new URL(
    backRaw.startsWith(`/runs/${id}/accounts`) ? backRaw : `/runs/${id}/accounts`,
    'http://x',
  );
  const done = (outcome: Record<string, string>) => {
    for (const k of ['applied', 'error']) back.searchParams.delete(k);
    for (const [k, v] of Object.entries(outcome)) back.searchParams.set(k, v);
    const location = `${back.pathname}${back.search}`;
    if (isFragmentRequest(c)) c.header('HX-Redirect', location);
    return c.redirect(location, 303);
  };
  const refusal = changeRefusal({ action, all, ids, note, repId });
  if (refusal) return done({ error: refusal });
  const expected = Number(text(form.matching));
  const matching = all
    ? {
        filter: accountFilterOf((k) => text(form[k]) || undefined),
        ...(Number.isInteger(expected) && expected >= 0 ? { expected } : {}),
      }
    : undefined;
  try {
    const r = await bulkChange({
      ctx: runsCtx(c),
      input: {
        runId: id,
        action,
        ...(matching ? { matching } : { accountIds: ids }),
        ...(note ? { note } : {}),
        ...(action === 'pin' ? { repId } : {}),
      },
    });
    // Accepting skips accounts without an open conflict silently: there was nothing to decide for them.
    const skipped =
      r.skipped === 0 || action === 'accept'
        ? null
        : `${r.skipped} of ${r.selected} selected account(s) were not ${action === 'unpin' ? 'pinned' : 'excluded'} and were left as they were.`;
    return done({ applied: String(r.applied), ...(skipped ? { error: skipped } : {}) });
  } catch (error) {
    if (!(error instanceof AppError) || error.code === 'INTERNAL') throw error;
    return done({ applied: '0', error: error.message });
  }
}

/** Why a change to accounts is refused before it is tried, or undefined. */
function changeRefusal(f: {
  action: AccountAction;
  all: boolean;
  ids: string[];
  note: string;
  repId: string;
}) {
  const { action, all, ids, note, repId } = f;
  if (!(action in ACCOUNT_ACTIONS)) return 'Choose what to change.';
  if (!all && ids.length === 0) return 'Select at least one account, then apply the change.';
  if (ids.some((a) => !UUID.test(a)))
    return 'The selection names an account that is not in this run. Nothing was changed.';
  if (!all && ids.length > MAX_BULK_ACCOUNTS)
    return `Select at most ${MAX_BULK_ACCOUNTS.toLocaleString('en-US')} accounts at a time. Nothing was changed.`;
  if ((action === 'accept' || action === 'exclude' || action === 'pin') && !note)
    return 'Write why in the note: it is kept in the audit trail. Nothing was changed.';
  if (action === 'pin' && !UUID.test(repId))
    return 'Choose the rep to give the accounts to. Nothing was changed.';
  return undefined;
}

/** The run's accounts, filtered and paged; the table alone for htmx. */
async function accountsPage(c: Context<AppBindings>) {
  const { run } = await loadRun(c);
  const ctx = runsCtx(c);
  const q = (k: string) => c.req.query(k) || undefined;
  const filter = accountTableFilter(q);
  const { rows, total } = await listRunAccounts({
    ctx,
    input: {
      runId: run.id,
      ...accountFilterOf(q),
      sort: filter.sort,
      order: filter.order,
      page: filter.page,
      pageSize: ACCOUNT_PAGE,
    },
  });
  const names = await repNames(ctx);
  const edit = await accountEdit(c, run);
  const table = (
    <AccountTable runId={run.id} rows={rows} total={total} filter={filter} names={names} edit={edit} />
  );
  if (hxTargetId(c) === 'account-table') return c.html(table);
  const reps = (await listRepChoices(ctx))
    .filter((r) => r.kind === 'person')
    .map((r) => ({ id: r.id, name: r.name }));
  const { regions } = await listRegionsAndSegments(ctx);
  return renderPage(
    c,
    `Accounts · ${run.reason}`,
    <>
      <RunHeader run={run} names={names} current={`/runs/${run.id}/accounts`} />
      <ChangeOutcome c={c} />
      <section class="card" aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts in this run</h2>
        <AccountFilters runId={run.id} filter={filter} reps={reps} regions={regions} />
        {table}
      </section>
    </>,
  );
}

function accountTableFilter(q: (k: string) => string | undefined) {
  const sort = (['name', 'crmId', 'revenue', 'region'] as const).find((s) => s === q('sort')) ?? 'revenue';
  return {
    rep: q('rep') && UUID.test(q('rep')!) ? q('rep') : undefined,
    region: q('region'),
    moved: q('moved'),
    conflict: q('conflict'),
    sort,
    order: q('order') === 'asc' ? 'asc' : 'desc',
    page: pageNumber(q('page')),
    pageSize: ACCOUNT_PAGE,
  } satisfies AccountFilter;
}

type AccountExplanation = Awaited<ReturnType<typeof explainAccount>>;

/** One account of the run: where it goes and why, its conflicts, and the override form. */
async function accountPage(c: Context<AppBindings>) {
  const { run } = await loadRun(c);
  const accountId = c.req.param('accountId') ?? '';
  if (!UUID.test(accountId)) throw new AppError('NOT_FOUND', 'That account is not in this run.');
  const ctx = runsCtx(c);
  const a = await explainAccount({ ctx, input: { runId: run.id, accountId } });
  const edit = await accountEdit(c, run);
  const names = await repNames(ctx);
  return renderPage(
    c,
    a.name,
    <>
      <Crumbs
        items={[
          { href: '/', label: 'Runs' },
          { href: `/runs/${run.id}`, label: run.reason },
          { href: `/runs/${run.id}/accounts`, label: 'Accounts' },
          { label: a.name },
        ]}
      />
      <ChangeOutcome c={c} />
      <AccountExplanationCard a={a} names={names} />
      {edit && <AccountOverrideCard run={run} a={a} edit={edit} />}
    </>,
  );
}

function AccountExplanationCard({ a, names }: { a: AccountExplanation; names: Map<string, string> }) {
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody');
  const ex = a.explanation ?? {};
  return (
    <section class="card" aria-labelledby="acc-title">
      <h1 id="acc-title">{a.name}</h1>
      <dl class="facts">
        <dt>CRM id</dt>
        <dd>
          <a href={`/accounts/${a.accountId}`}>{a.crmId}</a>
        </dd>
        <dt>Revenue</dt>
        <dd>{money(a.revenueCents)}</dd>
        <dt>From</dt>
        <dd>{who(a.fromRepId)}</dd>
        <dt>To</dt>
        <dd>{a.excluded ? `${who(a.fromRepId)} (excluded, stays)` : who(a.toRepId)}</dd>
        <dt>Why</dt>
        <dd id="why">{a.reason ?? '—'}</dd>
        {typeof ex.rule === 'string' && (
          <>
            <dt>Rule</dt>
            <dd>{ex.rule}</dd>
          </>
        )}
      </dl>
      {Object.keys(ex).length > 0 && (
        <details>
          <summary>The solver’s full explanation</summary>
          <pre class="json">{JSON.stringify(ex, null, 2)}</pre>
        </details>
      )}
      {a.conflicts.length > 0 && (
        <>
          <h2>Conflicts</h2>
          <ul>
            {a.conflicts.map((k) => (
              <li>
                {k.message} — {k.resolution ? `resolved: ${k.resolution} (“${k.note}”)` : 'open'}
              </li>
            ))}
          </ul>
        </>
      )}
      {a.opportunityChanges.length > 0 && (
        <>
          <h2>Opportunities that follow</h2>
          <p>{a.opportunityChanges.length} opportunity(ies) change owner or split with this account.</p>
        </>
      )}
    </section>
  );
}

function AccountOverrideCard({ run, a, edit }: { run: RunRecord; a: AccountExplanation; edit: AccountEdit }) {
  return (
    <section class="card" aria-labelledby="override-title">
      <h2 id="override-title">Override this account</h2>
      <p class="muted">
        {a.excluded
          ? 'Excluded: it stays with its owner.'
          : a.pinned
            ? 'Pinned: every re-solve keeps it with its rep.'
            : 'Placed by the solver.'}{' '}
        A change makes a new version of the proposal and voids an approval.
      </p>
      <form method="post" action={`/runs/${run.id}/accounts/change`} id="account-override">
        <input type="hidden" name="accountId" value={a.accountId} />
        <AccountChangeFields
          edit={edit}
          idPrefix="one"
          back={`/runs/${run.id}/accounts/${a.accountId}`}
          legend={`Change for ${a.name}`}
        />
      </form>
    </section>
  );
}

/** The outcome of a change to accounts, carried back in the query after the redirect. */
function ChangeOutcome({ c }: { c: Context<AppBindings> }) {
  const applied = Number(c.req.query('applied'));
  const error = (c.req.query('error') ?? '').slice(0, 500);
  return (
    <>
      {Number.isInteger(applied) && applied > 0 && (
        <p class="alert success" role="status" id="change-applied">
          {applied} change(s) made. The proposal has a new version; an approval, if any, was voided.
        </p>
      )}
      {error && (
        <p class="alert error" role="alert" id="change-error">
          {error}
        </p>
      )}
    </>
  );
}
