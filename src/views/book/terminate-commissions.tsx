/**
 * Level 3 from the rep's page (seed 003: "Terminate All Commissions"): the commission end date, the reassignment
 * date, a reason, and the strategy: the default type and up to SEGMENT_ROWS segments (account type, stage, region,
 * deal size → type A/B/C and receiving rep), or the manual queue (each opportunity decided on the review page). Submitting creates a rep_departure run of scope open_opportunities through the runs service (the same
 * contract as POST /v1/runs), starts its solve and continues on the run page, where the commission impact shows.
 * A plain form: works without JavaScript; errors sit next to their field.
 */

import type { RepDetail } from '../../services/book/book-reads.ts';
import { type CreateRunInput, createRunSchema } from '../../services/run-records/run-params.ts';
import { CsrfField } from '../layout.tsx';
import {
  CUSTOM_PCT_ERROR,
  emptySegmentRows,
  isCommissionType as isType,
  parseSegmentRows,
  pctToBps,
  type SegmentChoices,
  SegmentRowsTable,
  type SegmentRowValues,
  SegmentsHint,
  segmentFieldOf,
  segmentRowsOf,
  COMMISSION_TYPES as TYPES,
} from '../runs/commission-strategy-fields.tsx';
import { Crumbs, describedBy, FieldError, Stat } from '../shared/components.tsx';
import { COMMISSION_TYPE_LABELS, money, num, text } from '../shared/format.ts';

export { SEGMENT_ROWS, type SegmentRowValues } from '../runs/commission-strategy-fields.tsx';

export interface TerminateValues {
  commissionEndDate: string;
  reassignmentDate: string;
  reason: string;
  commissionType: string;
  customPct: string;
  /** rules: the default type and the segments below; manual: each opportunity decided on the run's review page. */
  commissionStrategy: 'rules' | 'manual';
  segments: SegmentRowValues[];
}

/** Errors by field: the top fields by name, a segment row as `seg-<i>`, the whole form as `form`. */
export type TerminateErrors = Record<string, string>;

export function emptyTerminate(rep: RepDetail): TerminateValues {
  return {
    commissionEndDate: rep.endDate ?? '',
    reassignmentDate: '',
    reason: '',
    commissionType: 'direct_transfer',
    customPct: '',
    commissionStrategy: 'rules',
    segments: emptySegmentRows(),
  };
}

export function terminateValues(form: Record<string, unknown>): TerminateValues {
  const t = (k: string) => text(form[k]).slice(0, 2000);
  return {
    commissionEndDate: t('commissionEndDate'),
    reassignmentDate: t('reassignmentDate'),
    reason: t('reason'),
    commissionType: t('commissionType') || 'direct_transfer',
    customPct: t('customPct'),
    commissionStrategy: t('commissionStrategy') === 'manual' ? 'manual' : 'rules',
    segments: segmentRowsOf(form),
  };
}

/** Where a runs-contract issue belongs on this form. */
export function terminateFieldOf(path: string): string {
  const seg = segmentFieldOf(path, []);
  if (seg) return seg;
  if (path.startsWith('params.customBps')) return 'customPct';
  if (path.startsWith('params.commissionType')) return 'commissionType';
  for (const f of ['reason', 'commissionEndDate', 'reassignmentDate']) if (path.startsWith(f)) return f;
  return 'form';
}

/**
 * The run the form asks for, checked against the runs contract (createRunSchema): a rep_departure of the rep, scope
 * open_opportunities, both dates, the default type and the segments in row order (empty rows ignored).
 */
export function toTerminateInput(
  repId: string,
  v: TerminateValues,
): { input: CreateRunInput | null; errors: TerminateErrors } {
  const errors: TerminateErrors = {};
  if (!v.commissionEndDate)
    errors.commissionEndDate = 'Give the commission end date: the rep’s last day of earning.';
  if (!v.reassignmentDate)
    errors.reassignmentDate = 'Give the reassignment date: on or after the commission end date.';
  if (v.commissionStrategy === 'manual') return manualInput(repId, v, errors);
  if (!isType(v.commissionType)) errors.commissionType = 'Choose type A, B or C for the default.';
  let customBps: number | undefined;
  if (v.commissionType === 'custom') {
    const bps = pctToBps(v.customPct);
    if (bps === null) errors.customPct = CUSTOM_PCT_ERROR;
    else customBps = bps;
  }
  const { segments, rowOf, errors: segmentErrors } = parseSegmentRows(v.segments);
  Object.assign(errors, segmentErrors);
  const raw = {
    kind: 'rep_departure',
    scope: 'open_opportunities',
    reason: v.reason,
    ...(v.commissionEndDate ? { commissionEndDate: v.commissionEndDate } : {}),
    ...(v.reassignmentDate ? { reassignmentDate: v.reassignmentDate } : {}),
    params: {
      departingRepIds: [repId],
      commissionType: isType(v.commissionType) ? v.commissionType : 'direct_transfer',
      ...(customBps !== undefined ? { customBps } : {}),
      ...(segments.length > 0 ? { commissionSegments: segments } : {}),
    },
  };
  const parsed = createRunSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      let field = terminateFieldOf(issue.path.join('.'));
      // Segment issues name the row the person filled in, not the index among the rows kept.
      const seg = /^seg-(\d+)$/.exec(field);
      if (seg) field = `seg-${rowOf[Number(seg[1])] ?? seg[1]}`;
      if (!errors[field]) errors[field] = issue.message;
    }
  }
  return { input: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null, errors };
}

/** The manual queue: no type up front; each opportunity is decided on the run's review page before approval. */
function manualInput(
  repId: string,
  v: TerminateValues,
  errors: TerminateErrors,
): { input: CreateRunInput | null; errors: TerminateErrors } {
  const parsed = createRunSchema.safeParse({
    kind: 'rep_departure',
    scope: 'open_opportunities',
    reason: v.reason,
    ...(v.commissionEndDate ? { commissionEndDate: v.commissionEndDate } : {}),
    ...(v.reassignmentDate ? { reassignmentDate: v.reassignmentDate } : {}),
    params: { departingRepIds: [repId], commissionStrategy: 'manual' },
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = terminateFieldOf(issue.path.join('.'));
      if (!errors[field]) errors[field] = issue.message;
    }
  }
  return { input: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null, errors };
}

export function TerminateCommissionsPage({
  rep,
  values,
  errors,
  choices,
  csrfToken,
}: {
  rep: RepDetail;
  values: TerminateValues;
  errors: TerminateErrors;
  choices: SegmentChoices;
  csrfToken: string;
}) {
  return (
    <>
      <Crumbs
        items={[
          { href: '/reps', label: 'Reps' },
          { href: `/reps/${rep.id}`, label: rep.name },
          { label: 'Terminate all commissions' },
        ]}
      />
      <h1 id="terminate-title">Terminate all commissions — {rep.name}</h1>
      {errors.form && (
        <p class="alert error" role="alert" id="terminate-error">
          {errors.form}
        </p>
      )}
      <TerminateScope rep={rep} />
      <form method="post" action={`/reps/${rep.id}/terminate-commissions`} class="card" id="terminate-form">
        <CsrfField token={csrfToken} />
        <DatesAndReason values={values} errors={errors} />
        <StrategyChoice strategy={values.commissionStrategy} />
        <DefaultType values={values} errors={errors} />
        <h2>Segments</h2>
        <SegmentsHint />
        <SegmentRowsTable rows={values.segments} errors={errors} choices={choices} idPrefix="t" />
        <p>
          <button type="submit" id="terminate-submit">
            Terminate commissions and start the run
          </button>{' '}
          <a href={`/reps/${rep.id}`}>Cancel</a>
        </p>
      </form>
    </>
  );
}

/** What the run touches: the rep's accounts, revenue and open opportunities. */
function TerminateScope({ rep }: { rep: RepDetail }) {
  return (
    <section class="card" aria-labelledby="terminate-scope-title">
      <h2 id="terminate-scope-title">What this touches</h2>
      <dl class="stats" id="terminate-scope">
        <Stat label="Accounts owned">{num(rep.accounts)}</Stat>
        <Stat label="Annual revenue">{money(rep.revenueCents)}</Stat>
        <Stat label="Open opportunities">{num(rep.openOpportunities)}</Stat>
      </dl>
      <p class="muted">
        Submitting starts a departure run for {rep.name} over their accounts and open opportunities (stages
        before billing; closed and protected deals keep their split). The run page then shows the commission
        impact per person — monthly and annual, before and after — and continues with conflicts, approval and
        commit.
      </p>
    </section>
  );
}

function DatesAndReason({ values, errors }: { values: TerminateValues; errors: TerminateErrors }) {
  const field = (id: string) => describedBy(`t-${id}`, errors[id]);
  return (
    <>
      <h2>Dates and reason</h2>
      <div class="field">
        <label for="t-commissionEndDate">Commission end date</label>
        <input
          id="t-commissionEndDate"
          name="commissionEndDate"
          type="date"
          value={values.commissionEndDate}
          required
          {...field('commissionEndDate')}
        />
        <FieldError id="t-commissionEndDate" message={errors.commissionEndDate} />
      </div>
      <div class="field">
        <label for="t-reassignmentDate">Reassignment date (on or after the end date)</label>
        <input
          id="t-reassignmentDate"
          name="reassignmentDate"
          type="date"
          value={values.reassignmentDate}
          required
          {...field('reassignmentDate')}
        />
        <FieldError id="t-reassignmentDate" message={errors.reassignmentDate} />
      </div>
      <div class="field">
        <label for="t-reason">Reason</label>
        <textarea id="t-reason" name="reason" rows={2} required {...field('reason')}>
          {values.reason}
        </textarea>
        <FieldError id="t-reason" message={errors.reason} />
      </div>
    </>
  );
}

/** Rules (the default type and segments) or the manual queue. */
function StrategyChoice({ strategy }: { strategy: TerminateValues['commissionStrategy'] }) {
  return (
    <fieldset id="t-commissionStrategy">
      <legend>
        <h2>Strategy</h2>
      </legend>
      <label class="choice">
        <input type="radio" name="commissionStrategy" value="rules" checked={strategy !== 'manual'} />
        <span>
          <strong>Uniform or segmented</strong> — the default type below, and a type (and receiving rep) per
          segment
        </span>
      </label>
      <label class="choice">
        <input type="radio" name="commissionStrategy" value="manual" checked={strategy === 'manual'} />
        <span>
          <strong>Manual queue</strong> — decide each opportunity’s type on the run’s review page (the type
          and segments below are not used); approval waits until every one is decided
        </span>
      </label>
    </fieldset>
  );
}

/** The type of every opportunity no segment matches, and the new rep's share for type C. */
function DefaultType({ values, errors }: { values: TerminateValues; errors: TerminateErrors }) {
  const field = (id: string) => describedBy(`t-${id}`, errors[id]);
  return (
    <>
      <h2>Default type</h2>
      <p class="hint">For every opportunity no segment below matches.</p>
      <div class="field">
        <label for="t-commissionType">Type</label>
        <select id="t-commissionType" name="commissionType" {...field('commissionType')}>
          {TYPES.map((t) => (
            <option value={t} selected={values.commissionType === t}>
              {COMMISSION_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
        <FieldError id="t-commissionType" message={errors.commissionType} />
      </div>
      <div class="field">
        <label for="t-customPct">New rep’s share for type C (%)</label>
        <input
          id="t-customPct"
          name="customPct"
          inputmode="decimal"
          value={values.customPct}
          {...field('customPct')}
        />
        <FieldError id="t-customPct" message={errors.customPct} />
      </div>
    </>
  );
}
