/** Conflicts resolved in place on the review: one, all of an account's, or many at once. */
import type { Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { repNames } from '../../services/book/rep-list.ts';
import { bulkChange, listConflicts, resolveConflict } from '../../services/review/changes.ts';
import { isUnwritableSplit } from '../../services/review/conflict-rules.ts';
import { getRunSummary } from '../../services/review/review.ts';
import { isFragmentRequest } from '../layout.tsx';
import { text } from '../shared/format.ts';
import { ConflictCard, type ConflictFormState } from './conflict-card.tsx';
import { GroupedConflictsSection } from './conflict-groups.tsx';
import { ApprovePanel, type ConflictRow } from './review-parts.tsx';
import { drafters, loadRun, receiverChoices, runId, runsCtx, UUID } from './run-route-context.ts';
import { shareBps } from './split-way-out.tsx';

export function conflictRoutes(router: Hono<AppBindings>) {
  // Before /conflicts/:cid, which would take "bulk" and "account" for a conflict id.
  router.post('/runs/:id/conflicts/account/:aid', drafters, resolveAccountConflicts);
  router.post('/runs/:id/conflicts/bulk', drafters, resolveBulkConflicts);
  // Another commission type or share for the opportunity of a split the commit cannot write.
  router.post('/runs/:id/conflicts/:cid/commission', drafters, resolveCommissionConflict);
  router.post('/runs/:id/conflicts/:cid', drafters, resolveOneConflict);
}

/**
 * After a conflict is resolved in place: the approval panel and the open-blocking counter, out of band, from
 * the conflicts as they are now.
 */
async function approvalUpdate(c: Context<AppBindings>, conflicts: ConflictRow[]) {
  const { run } = await loadRun(c);
  const summary = await getRunSummary({ ctx: runsCtx(c), input: { runId: run.id } });
  const openBlocking = conflicts.filter((k) => k.severity === 'blocking' && k.resolution === null).length;
  return (
    <>
      <ApprovePanel
        run={run}
        principal={principalOf(c)}
        openBlocking={openBlocking}
        moved={summary.moved}
        csrfToken={c.get('csrfToken')}
        oob
      />
      <span id="open-blocking" hx-swap-oob="true">
        {openBlocking}
      </span>
    </>
  );
}

/** Every open conflict of one account, from its card. */
async function resolveAccountConflicts(c: Context<AppBindings>) {
  const aid = c.req.param('aid') ?? '';
  if (!UUID.test(aid)) throw new AppError('NOT_FOUND', 'That account does not exist.');
  return resolveMany(c, () => [aid], await c.req.parseBody());
}

/** The ticked accounts, or every account with an open conflict of one kind ("kind:<kind>"). */
async function resolveBulkConflicts(c: Context<AppBindings>) {
  const form = await c.req.parseBody({ all: true });
  const which = text(form.which);
  const ticked = ([] as unknown[])
    .concat(form.accountIds ?? [])
    .map(String)
    .filter((x) => UUID.test(x));
  return resolveMany(
    c,
    (all) => (which.startsWith('kind:') ? accountsOfKind(all, which.slice(5)) : ticked),
    form,
  );
}

function accountsOfKind(all: ConflictRow[], kind: string): string[] {
  return [
    ...new Set(
      all.filter((k) => k.kind === kind && k.resolution === null && k.accountId).map((k) => k.accountId!),
    ),
  ];
}

type CommissionType = 'house_absorbs' | 'direct_transfer' | 'custom';

async function resolveCommissionConflict(c: Context<AppBindings>) {
  const cid = c.req.param('cid') ?? '';
  if (!UUID.test(cid)) throw new AppError('NOT_FOUND', 'That conflict does not exist.');
  const form = await c.req.parseBody();
  const type = text(form.commissionType);
  const note = text(form.note);
  const bps = shareBps(text(form.share));
  let error = commissionChoiceError(type, bps, note);
  if (!error) error = await applyCommissionChoice(c, cid, type as CommissionType, bps, note);
  const label = { house_absorbs: 'A', direct_transfer: 'B', custom: 'C' }[type];
  const notice = `The opportunity now takes type ${label}${type === 'custom' && bps !== null ? ` at ${bps / 100}%` : ''}: its split can be written, so this conflict is resolved.`;
  return resolveMany(c, () => [], {}, error ?? null, notice);
}

function commissionChoiceError(type: string, bps: number | null, note: string): string | undefined {
  if (!['house_absorbs', 'direct_transfer', 'custom'].includes(type)) return 'Choose a commission type.';
  if (type === 'custom' && bps === null)
    return 'Write the new rep’s share for type C as a percentage from 0.01 to 100, such as 20 or 12.5.';
  if (!note) return 'Write why in the note: it is kept in the audit trail.';
  return undefined;
}

/** Resolves the conflict with the commission choice: undefined when it did, else the refusal's message. */
async function applyCommissionChoice(
  c: Context<AppBindings>,
  cid: string,
  type: CommissionType,
  bps: number | null,
  note: string,
): Promise<string | undefined> {
  try {
    await resolveConflict({
      ctx: runsCtx(c),
      input: {
        runId: runId(c),
        conflictId: cid,
        resolution: 'commission',
        note,
        commission: { commissionType: type, ...(type === 'custom' ? { customBps: bps! } : {}) },
      },
    });
  } catch (e) {
    if (!(e instanceof AppError) || e.code === 'INTERNAL') throw e;
    return e.message;
  }
  return undefined;
}

/** One conflict decided from its card: accept, another owner or exclude, with a note. */
async function resolveOneConflict(c: Context<AppBindings>) {
  const id = runId(c);
  const cid = c.req.param('cid') ?? '';
  if (!UUID.test(cid)) throw new AppError('NOT_FOUND', 'That conflict does not exist.');
  const form = await c.req.parseBody();
  const state = conflictFormState(form);
  const failed = Object.keys(state.error!).length > 0 || !(await applyConflictDecision(c, cid, state));
  if (!isFragmentRequest(c)) {
    if (failed)
      throw new AppError(
        'VALIDATION_FAILED',
        state.error!.form ?? state.error!.note ?? state.error!.repId ?? 'Check the decision.',
      );
    return c.redirect(`/runs/${id}#conflicts`, 303);
  }
  return conflictCardUpdate(c, cid, state, failed);
}

/** The decision as the form sent it, with a message per field that is missing. */
function conflictFormState(form: Record<string, unknown>): ConflictFormState {
  const resolution = text(form.resolution);
  const note = text(form.note);
  const repId = text(form.repId);
  const state: ConflictFormState = { values: { resolution, note, repId }, error: {} };
  if (!['accept', 'override', 'exclude'].includes(resolution)) state.error!.form = 'Choose a decision.';
  if (!note) state.error!.note = 'Write why: the note is kept in the audit trail.';
  if (resolution === 'override' && !repId) state.error!.repId = 'Choose who should own the account.';
  return state;
}

/** Resolves the conflict as the form says: false (with the refusal in the form's error) when it was refused. */
async function applyConflictDecision(c: Context<AppBindings>, cid: string, state: ConflictFormState) {
  const { resolution = '', note = '', repId = '' } = state.values ?? {};
  try {
    await resolveConflict({
      ctx: runsCtx(c),
      input: {
        runId: runId(c),
        conflictId: cid,
        resolution: resolution as 'accept' | 'override' | 'exclude',
        note,
        ...(repId && resolution === 'override' ? { repId } : {}),
      },
    });
  } catch (error) {
    if (!(error instanceof AppError) || error.code === 'INTERNAL') throw error;
    state.error!.form = error.message;
    return false;
  }
  return true;
}

/** What a card or the section needs to offer decisions: the run, the form token, the receivers and rep names. */
async function decidingProps(c: Context<AppBindings>, ctx: ReturnType<typeof runsCtx>, id: string) {
  return {
    runId: id,
    csrfToken: c.get('csrfToken'),
    names: await repNames(ctx),
    receivers: await receiverChoices(ctx),
    canResolve: true,
  };
}

/** The conflict's card as it is now (or what stands in its place), with the approval panel out of band. */
async function conflictCardUpdate(
  c: Context<AppBindings>,
  cid: string,
  state: ConflictFormState,
  failed: boolean,
) {
  const id = runId(c);
  const ctx = runsCtx(c);
  const conflicts = await listConflicts({ ctx, input: { runId: id } });
  const conflict = conflicts.find((k) => k.id === cid);
  // Excluding the account (or giving it to another rep) can make the conflict go away altogether: say so in its
  // place, with the approval panel brought up to date, instead of a page that is not found.
  if (!conflict)
    return c.html(
      <>
        {goneCard(cid, state.values?.resolution ?? '')}
        {await approvalUpdate(c, conflicts)}
      </>,
      200,
    );
  return c.html(
    <>
      <ConflictCard
        conflict={conflict}
        {...(await decidingProps(c, ctx, id))}
        {...(failed ? { state } : {})}
      />
      {await approvalUpdate(c, conflicts)}
    </>,
    failed ? 422 : 200,
  );
}

/**
 * Resolves every open conflict of one account (the card), or of the ticked accounts / all accounts with an open
 * conflict of one kind (the bulk form), with one note: accept, another owner or exclude. The whole conflicts
 * section comes back (its counters in place) with the approval panel out of band.
 */
async function resolveMany(
  c: Context<AppBindings>,
  pickIds: (all: ConflictRow[]) => string[],
  form: Record<string, unknown>,
  /** Already decided elsewhere (the commission choice): null when it succeeded, else its error. */
  done?: string | null,
  notice?: string,
) {
  const id = runId(c);
  const ctx = runsCtx(c);
  const resolution = text(form.resolution);
  const note = text(form.note);
  const repId = text(form.repId);
  const before = await listConflicts({ ctx, input: { runId: id } });
  const accountIds = pickIds(before);
  let error: string | undefined;
  if (done !== undefined) error = done ?? undefined;
  else error = manyDecisionError(resolution, note, repId, accountIds);
  if (!error && done === undefined) {
    error = await applyManyDecision(c, { resolution, note, repId, accountIds });
  }
  if (!isFragmentRequest(c)) {
    if (error) throw new AppError('VALIDATION_FAILED', error);
    return c.redirect(`/runs/${id}#conflicts`, 303);
  }
  return conflictsSectionUpdate(c, {
    error,
    still: (conflicts) => splitStillUnwritable(conflicts, accountIds, resolution),
    notice,
  });
}

function manyDecisionError(resolution: string, note: string, repId: string, accountIds: string[]) {
  if (!['accept', 'override', 'exclude'].includes(resolution)) return 'Choose a decision.';
  if (!note) return 'Write why in the note: it is kept in the audit trail.';
  if (resolution === 'override' && !repId) return 'Choose who should own the account(s).';
  if (accountIds.length === 0) return 'Tick at least one account, or choose a kind.';
  return undefined;
}

/** One change for the accounts: undefined when it was made, else the refusal's message. */
async function applyManyDecision(
  c: Context<AppBindings>,
  d: { resolution: string; note: string; repId: string; accountIds: string[] },
): Promise<string | undefined> {
  try {
    await bulkChange({
      ctx: runsCtx(c),
      input: {
        runId: runId(c),
        action: d.resolution === 'override' ? 'pin' : d.resolution === 'exclude' ? 'exclude' : 'accept',
        accountIds: d.accountIds,
        note: d.note,
        ...(d.resolution === 'override' ? { repId: d.repId } : {}),
      },
    });
  } catch (e) {
    if (!(e instanceof AppError) || e.code === 'INTERNAL') throw e;
    return e.message;
  }
  return undefined;
}

/** The whole conflicts section as it is now, with the approval panel out of band. */
async function conflictsSectionUpdate(
  c: Context<AppBindings>,
  o: { error?: string; still: (conflicts: ConflictRow[]) => string | undefined; notice?: string },
) {
  const id = runId(c);
  const ctx = runsCtx(c);
  const conflicts = await listConflicts({ ctx, input: { runId: id } });
  return c.html(
    <>
      <GroupedConflictsSection
        conflicts={conflicts}
        {...(await decidingProps(c, ctx, id))}
        runKind={(await loadRun(c)).run.kind}
        error={o.error ?? o.still(conflicts)}
        notice={o.error ? undefined : o.notice}
      />
      {await approvalUpdate(c, conflicts)}
    </>,
    o.error ? 422 : 200,
  );
}

/**
 * A decision for the whole account leaves an unwritable commission split open (it is never accepted, and another
 * owner may still leave it unwritable): say so, and what clears it, instead of a card that stays without a word.
 */
function splitStillUnwritable(
  conflicts: ConflictRow[],
  accountIds: string[],
  resolution: string,
): string | undefined {
  const open = conflicts.filter(
    (k) =>
      k.resolution === null &&
      k.accountId !== null &&
      accountIds.includes(k.accountId) &&
      isUnwritableSplit(k.kind, k.details?.key),
  );
  if (open.length === 0) return undefined;
  const done =
    resolution === 'override'
      ? 'The account(s) now go to the rep you chose and the other reasons are decided, but'
      : 'The other reasons are decided, but';
  return `${done} ${open.length === 1 ? 'one commission split' : `${open.length} commission splits`} still cannot be written: choose another commission type or share for the opportunity on its card, or exclude the account (it keeps its owner and split).`;
}

/** What stands in a conflict's place when the decision made it go away. */
function goneCard(cid: string, resolution: string) {
  const what =
    resolution === 'exclude'
      ? 'The account was excluded from the run: it keeps its owner and its commission split'
      : resolution === 'override'
        ? 'The account now goes to the rep you chose'
        : 'The decision was recorded';
  return (
    <article class="conflict resolved" id={`conflict-${cid}`} role="status">
      <p>
        <strong>Resolved.</strong> {what}, so this conflict no longer applies.
      </p>
    </article>
  );
}
