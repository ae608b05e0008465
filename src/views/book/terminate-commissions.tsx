/**
 * Level 3 from the rep's page (seed 003: "Terminate All Commissions"): the commission end date, the reassignment
 * date, a reason, the default type and up to SEGMENT_ROWS segments (account type, stage, region, deal size → type
 * A/B/C). Submitting creates a rep_departure run of scope open_opportunities through the runs service (the same
 * contract as POST /v1/runs), starts its solve and continues on the run page, where the commission impact shows.
 * A plain form: works without JavaScript; errors sit next to their field.
 */
import {
  type CommissionSegment,
  type CreateRunInput,
  createRunSchema,
} from '../../services/runs/run-params.ts';
import { CsrfField } from '../layout.tsx';
import { Crumbs, describedBy, FieldError } from '../shared/components.tsx';
import { COMMISSION_TYPE_LABELS, money, num, text } from '../shared/format.ts';
import type { RepDetail } from './book-data.ts';

export const SEGMENT_ROWS = 4;
const SEGMENT_FIELDS = [
  'accountType',
  'stage',
  'region',
  'minAmount',
  'maxAmount',
  'commissionType',
  'customPct',
] as const;
type SegmentField = (typeof SEGMENT_FIELDS)[number];
export type SegmentRowValues = Record<SegmentField, string>;

export interface TerminateValues {
  commissionEndDate: string;
  reassignmentDate: string;
  reason: string;
  commissionType: string;
  customPct: string;
  segments: SegmentRowValues[];
}

/** Errors by field: the top fields by name, a segment row as `seg-<i>`, the whole form as `form`. */
export type TerminateErrors = Record<string, string>;

const emptyRow = (): SegmentRowValues => ({
  accountType: '',
  stage: '',
  region: '',
  minAmount: '',
  maxAmount: '',
  commissionType: '',
  customPct: '',
});

export function emptyTerminate(rep: RepDetail): TerminateValues {
  return {
    commissionEndDate: rep.endDate ?? '',
    reassignmentDate: '',
    reason: '',
    commissionType: 'direct_transfer',
    customPct: '',
    segments: Array.from({ length: SEGMENT_ROWS }, emptyRow),
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
    segments: Array.from({ length: SEGMENT_ROWS }, (_, i) => {
      const row = emptyRow();
      for (const f of SEGMENT_FIELDS) row[f] = t(`seg-${i}-${f}`);
      return row;
    }),
  };
}

const TYPES = ['house_absorbs', 'direct_transfer', 'custom'] as const;
type TypeName = (typeof TYPES)[number];
const isType = (v: string): v is TypeName => (TYPES as readonly string[]).includes(v);

/** "35" or "35.5" (percent, at most two decimals) → basis points; null when not a share. */
function pctToBps(v: string): number | null {
  const s = v.trim().replace(/%$/, '').trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return null;
  const bps = Math.round(Number(s) * 100);
  return bps >= 1 && bps <= 10_000 ? bps : null;
}

/** "$50,000" or "50000.50" (dollars, at most two decimals) → cents; null when not an amount. */
function dollarsToCents(v: string): number | null {
  const s = v.trim().replace(/^\$/, '').replaceAll(',', '');
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(s)) return null;
  const [whole, frac = ''] = s.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Where a runs-contract issue belongs on this form. */
export function terminateFieldOf(path: string): string {
  const seg = /^params\.commissionSegments\.(\d+)/.exec(path);
  if (seg) return `seg-${seg[1]}`;
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
  if (!isType(v.commissionType)) errors.commissionType = 'Choose type A, B or C for the default.';
  let customBps: number | undefined;
  if (v.commissionType === 'custom') {
    const bps = pctToBps(v.customPct);
    if (bps === null)
      errors.customPct = 'Type C needs the new rep’s share: a percentage from 0.01 to 100, e.g. 35.';
    else customBps = bps;
  }
  const segments: CommissionSegment[] = [];
  const rowOf: number[] = [];
  for (const [i, row] of v.segments.entries()) {
    const n = i + 1;
    const conditions = [row.accountType, row.stage, row.region, row.minAmount, row.maxAmount].some(
      (x) => x !== '',
    );
    if (!row.commissionType && !conditions && !row.customPct) continue;
    if (!isType(row.commissionType)) {
      errors[`seg-${i}`] =
        `Segment ${n}: choose its type (A, B or C), or clear its conditions to leave it out.`;
      continue;
    }
    if (!conditions) {
      errors[`seg-${i}`] =
        `Segment ${n} has no condition, so it would match every opportunity: give it an account type, stage, region or deal size, or use the default type instead.`;
      continue;
    }
    const min = row.minAmount ? dollarsToCents(row.minAmount) : undefined;
    const max = row.maxAmount ? dollarsToCents(row.maxAmount) : undefined;
    if (min === null || max === null) {
      errors[`seg-${i}`] = `Segment ${n}: write the deal sizes in dollars, e.g. 50000 or 50,000.50.`;
      continue;
    }
    let segBps: number | undefined;
    if (row.commissionType === 'custom') {
      const bps = pctToBps(row.customPct);
      if (bps === null) {
        errors[`seg-${i}`] =
          `Segment ${n}: type C needs the new rep’s share, a percentage from 0.01 to 100 (e.g. 35).`;
        continue;
      }
      segBps = bps;
    }
    segments.push({
      match: {
        ...(row.accountType ? { accountType: row.accountType } : {}),
        ...(row.stage ? { stage: row.stage } : {}),
        ...(row.region ? { region: row.region } : {}),
        ...(min !== undefined ? { minAmountCents: min } : {}),
        ...(max !== undefined ? { maxAmountCents: max } : {}),
      },
      commissionType: row.commissionType,
      ...(segBps !== undefined ? { customBps: segBps } : {}),
    });
    rowOf.push(i);
  }
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

function Options({ list, value, any }: { list: string[]; value: string; any: string }) {
  const all = value && !list.includes(value) ? [...list, value] : list;
  return (
    <>
      <option value="">{any}</option>
      {all.map((o) => (
        <option value={o} selected={o === value}>
          {o}
        </option>
      ))}
    </>
  );
}

const TYPE_SHORT: Record<TypeName, string> = {
  house_absorbs: 'A — House absorbs',
  direct_transfer: 'B — direct transfer',
  custom: 'C — custom %',
};

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
  choices: { accountTypes: string[]; regions: string[]; stages: string[] };
  csrfToken: string;
}) {
  const field = (id: string) => describedBy(`t-${id}`, errors[id]);
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
      <section class="card" aria-labelledby="terminate-scope-title">
        <h2 id="terminate-scope-title">What this touches</h2>
        <dl class="stats" id="terminate-scope">
          <div class="stat">
            <dt class="stat-label">Accounts owned</dt>
            <dd class="stat-value">{num(rep.accounts)}</dd>
          </div>
          <div class="stat">
            <dt class="stat-label">Annual revenue</dt>
            <dd class="stat-value">{money(rep.revenueCents)}</dd>
          </div>
          <div class="stat">
            <dt class="stat-label">Open opportunities</dt>
            <dd class="stat-value">{num(rep.openOpportunities)}</dd>
          </div>
        </dl>
        <p class="muted">
          Submitting starts a departure run for {rep.name} over their accounts and open opportunities (stages
          before billing; closed and protected deals keep their split). The run page then shows the commission
          impact per person — monthly and annual, before and after — and continues with conflicts, approval
          and commit.
        </p>
      </section>
      <form method="post" action={`/reps/${rep.id}/terminate-commissions`} class="card" id="terminate-form">
        <CsrfField token={csrfToken} />
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
        <h2>Segments</h2>
        <p class="hint" id="segments-hint">
          The first segment whose conditions all hold decides an opportunity’s type; leave a row empty to skip
          it. Deal size: from (inclusive) and below (exclusive), in dollars. Type C gives the new rep the
          share you enter and House the rest of the departing rep’s share; an opportunity where House would go
          below 0% is refused and shown as a conflict.
        </p>
        <table id="segments">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Account type</th>
              <th scope="col">Stage</th>
              <th scope="col">Region</th>
              <th scope="col">Deal size from ($)</th>
              <th scope="col">Deal size below ($)</th>
              <th scope="col">Type</th>
              <th scope="col">Custom %</th>
            </tr>
          </thead>
          <tbody>
            {values.segments.map((row, i) => {
              const name = (f: SegmentField) => `seg-${i}-${f}`;
              const err = errors[`seg-${i}`];
              const described = err ? { 'aria-describedby': `t-seg-${i}-error`, 'aria-invalid': 'true' } : {};
              return (
                <>
                  <tr id={`segment-${i}`}>
                    <th scope="row">{i + 1}</th>
                    <td>
                      <select
                        name={name('accountType')}
                        aria-label={`Segment ${i + 1} account type`}
                        {...described}
                      >
                        <Options list={choices.accountTypes} value={row.accountType} any="Any" />
                      </select>
                    </td>
                    <td>
                      <select name={name('stage')} aria-label={`Segment ${i + 1} stage`} {...described}>
                        <Options list={choices.stages} value={row.stage} any="Any" />
                      </select>
                    </td>
                    <td>
                      <select name={name('region')} aria-label={`Segment ${i + 1} region`} {...described}>
                        <Options list={choices.regions} value={row.region} any="Any" />
                      </select>
                    </td>
                    <td>
                      <input
                        name={name('minAmount')}
                        inputmode="decimal"
                        value={row.minAmount}
                        aria-label={`Segment ${i + 1} deal size from, dollars`}
                        {...described}
                      />
                    </td>
                    <td>
                      <input
                        name={name('maxAmount')}
                        inputmode="decimal"
                        value={row.maxAmount}
                        aria-label={`Segment ${i + 1} deal size below, dollars`}
                        {...described}
                      />
                    </td>
                    <td>
                      <select
                        name={name('commissionType')}
                        aria-label={`Segment ${i + 1} type`}
                        {...described}
                      >
                        <option value="">Not used</option>
                        {TYPES.map((t) => (
                          <option value={t} selected={row.commissionType === t}>
                            {TYPE_SHORT[t]}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input
                        name={name('customPct')}
                        inputmode="decimal"
                        value={row.customPct}
                        aria-label={`Segment ${i + 1} custom share, percent`}
                        {...described}
                      />
                    </td>
                  </tr>
                  {err && (
                    <tr>
                      <td colspan={8}>
                        <FieldError id={`t-seg-${i}`} message={err} />
                      </td>
                    </tr>
                  )}
                </>
              );
            })}
          </tbody>
        </table>
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
