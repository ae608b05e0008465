/**
 * The commission impact of a run (C1–C6) as a panel: per person (departing rep, new reps, House, subagents) the
 * commission per month and per year before and after, the counts, the next payment date, the House gap, each
 * opportunity's split before and after with its type, and what is skipped and why. The numbers come from
 * src/services/review/commission-impact.ts, planned exactly as the commit will write (or, once committed, as it wrote).
 */

import type { CommissionImpact } from '../../services/review/commission-impact.ts';
import { Stat } from '../shared/components.tsx';
import { moneyCents as money, moneyCentsDelta as moneyDelta, num, pct } from '../shared/format.ts';

/** A rep whose share moves is "departing" only in a departure; in other runs they hand the deal over. */
function categoryLabel(category: string, runKind: string) {
  const leaving = runKind === 'rep_departure' ? 'departing rep' : 'previous rep (hands the share over)';
  if (category === 'departing-rep') return leaving;
  if (category === 'departing-and-new-rep')
    return runKind === 'rep_departure' ? 'departing and new rep' : 'previous and new rep';
  return CATEGORY[category] ?? category;
}

const CATEGORY: Record<string, string> = {
  'new-rep': 'new rep',
  house: 'House',
  subagent: 'subagent',
  'other-rep': 'rep',
};

const TYPE: Record<string, string> = { A: 'A — House absorbs', B: 'B — direct transfer', C: 'C — custom' };

/** Where the lazy panel on the run page loads from. */
export const impactPanelHref = (runId: string) => `/runs/${runId}/commission-impact`;

export function CommissionImpactPanel({ impact }: { impact: CommissionImpact }) {
  return (
    <section class="card" aria-labelledby="commission-impact-title" id="commission-impact">
      <h2 id="commission-impact-title">
        Commission impact{' '}
        <span class="muted small">
          ({impact.basis === 'committed' ? 'as committed' : 'what the commit will write'})
        </span>
      </h2>
      <ImpactNotes impact={impact} />
      <ImpactCounts impact={impact} />
      <PeopleTable impact={impact} />
      <MonthTable impact={impact} />
      <OpportunitySplits impact={impact} />
      <SkippedOpportunities impact={impact} />
      <p>
        <a href={`/v1/runs/${impact.runId}/commission-impact.csv`} download>
          Export the impact (CSV)
        </a>
      </p>
    </section>
  );
}

/** The placeholder the run page shows: htmx loads the panel into it; without JavaScript it is a link. */
export function CommissionImpactSlot({ runId }: { runId: string }) {
  return (
    <div
      id="commission-impact-slot"
      hx-get={impactPanelHref(runId)}
      hx-trigger="load"
      hx-target="this"
      hx-swap="innerHTML"
    >
      <section class="card">
        <h2>Commission impact</h2>
        <p>
          <a href={impactPanelHref(runId)}>See the commission impact per person, before and after</a>
        </p>
      </section>
    </div>
  );
}

/** On the approval page: each opportunity whose owner or split the commit changes, its split before and after. */
export function ApproveSplits({ impact }: { impact: CommissionImpact }) {
  const names = new Map(impact.people.map((p) => [p.participantId, p.name ?? p.participantId]));
  const name = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody');
  const splitText = (parts: { participantId: string; bps: number }[]) =>
    parts.map((p) => `${name(p.participantId)} ${pct(p.bps)}`).join(' · ');
  return (
    <section class="card" aria-labelledby="approve-splits-title" id="approve-splits">
      <h2 id="approve-splits-title">Commission splits the commit writes</h2>
      {impact.problems.length > 0 && (
        <ul class="alert error" role="alert">
          {impact.problems.map((p) => (
            <li>{p.message}</li>
          ))}
        </ul>
      )}
      {impact.opportunities.length === 0 ? (
        <p id="approve-splits-none">No commission split changes.</p>
      ) : (
        <>
          <p id="approve-splits-count">
            <strong>
              {num(impact.opportunities.length)} opportunit{impact.opportunities.length === 1 ? 'y' : 'ies'}
            </strong>{' '}
            {impact.opportunities.length === 1 ? 'changes its' : 'change their'} split from{' '}
            {impact.reassignmentDate} (the old split ends on {impact.endDate}):
          </p>
          <ul id="approve-splits-list">
            {impact.opportunities.map((o) => (
              <li data-opportunity={o.opportunityId}>
                <strong>{o.name}</strong> ({o.accountName}), type {TYPE[o.type] ?? o.type}:{' '}
                <span class="split-before">{splitText(o.before)}</span> →{' '}
                <span class="split-after">{splitText(o.after)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The true months of the window (not the average) and their calendar years, before → after, per person. */
function MonthTable({ impact }: { impact: CommissionImpact }) {
  const people = impact.people;
  const months = people[0]?.months.map((m) => m.month) ?? [];
  if (months.length === 0) return null;
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  const sum = (p: CommissionImpact['people'][number], year: string, key: 'beforeCents' | 'afterCents') =>
    p.months.filter((m) => m.month.startsWith(year)).reduce((s, m) => s + m[key], 0);
  const cell = (before: number, after: number) => (
    <td class="num">{before === after ? money(after) : `${money(before)} → ${money(after)}`}</td>
  );
  return (
    <>
      <h3>Per month and per year</h3>
      <table id="commission-impact-months">
        <thead>
          <tr>
            <th scope="col">Month</th>
            {people.map((p) => (
              <th scope="col" class="num">
                {p.name ?? p.participantId}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {months.map((month, i) => (
            <tr data-month={month}>
              <th scope="row">{month}</th>
              {people.map((p) => cell(p.months[i]!.beforeCents, p.months[i]!.afterCents))}
            </tr>
          ))}
          {years.map((year) => (
            <tr data-year={year} class="total">
              <th scope="row">{year} (months in the window)</th>
              {people.map((p) => cell(sum(p, year, 'beforeCents'), sum(p, year, 'afterCents')))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** What the run does in words, its warnings, and the problems that block the commit. */
function ImpactNotes({ impact }: { impact: CommissionImpact }) {
  return (
    <>
      <ul>
        {impact.statements.map((s) => (
          <li>{s}</li>
        ))}
        {impact.warnings.map((s) => (
          <li class="warn">{s}</li>
        ))}
      </ul>
      {impact.problems.length > 0 && (
        <ul class="alert error" role="alert" id="commission-impact-problems">
          {impact.problems.map((p) => (
            <li>{p.message}</li>
          ))}
        </ul>
      )}
    </>
  );
}

function ImpactCounts({ impact }: { impact: CommissionImpact }) {
  return (
    <dl class="stats" id="commission-impact-counts">
      <Stat label="Accounts">{num(impact.counts.accounts)}</Stat>
      <Stat label="Opportunities changed">{num(impact.counts.opportunities)}</Stat>
      <Stat label="Affected schedules">
        {num(impact.counts.affectedSchedules)}{' '}
        <span class="small muted">({num(impact.counts.affectedPeriods)} periods)</span>
      </Stat>
      <Stat label="Skipped">{num(impact.counts.skipped)}</Stat>
      <Stat label="Next payment">{impact.nextPaymentDate ?? '—'}</Stat>
    </dl>
  );
}

/** Per person the month average and the year, before and after. */
function PeopleTable({ impact }: { impact: CommissionImpact }) {
  return (
    <>
      <h3>
        Per person, {impact.window.from} to {impact.window.to}
      </h3>
      <table id="commission-impact-people">
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Role</th>
            <th scope="col" class="num">
              Month average before
            </th>
            <th scope="col" class="num">
              Month average after
            </th>
            <th scope="col" class="num">
              Annual before
            </th>
            <th scope="col" class="num">
              Annual after
            </th>
            <th scope="col" class="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {impact.people.map((p) => (
            <tr data-participant={p.participantId}>
              <th scope="row">{p.name ?? p.participantId}</th>
              <td>{categoryLabel(p.category, impact.runKind)}</td>
              <td class="num">{money(p.monthlyBeforeCents)}</td>
              <td class="num">{money(p.monthlyAfterCents)}</td>
              <td class="num">{money(p.annualBeforeCents)}</td>
              <td class="num">{money(p.annualAfterCents)}</td>
              <td class="num">{moneyDelta(p.annualDeltaCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Each opportunity's split before and after, with its type. */
function OpportunitySplits({ impact }: { impact: CommissionImpact }) {
  const names = new Map(impact.people.map((p) => [p.participantId, p.name ?? p.participantId]));
  const name = (id: string) => names.get(id) ?? id;
  const splitText = (parts: { participantId: string; role: string; bps: number }[]) =>
    parts.map((p) => `${name(p.participantId)} ${pct(p.bps)}`).join(' · ');
  if (impact.opportunities.length === 0) return null;
  return (
    <details id="commission-impact-opportunities">
      <summary>
        Split of each of the {num(impact.opportunities.length)} opportunities, before and after
      </summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Opportunity</th>
            <th scope="col">Account</th>
            <th scope="col">Type</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {impact.opportunities.map((o) => (
            <tr data-opportunity={o.opportunityId}>
              <th scope="row">
                {o.name} <span class="muted small">{o.crmId}</span>
              </th>
              <td>{o.accountName}</td>
              <td>{TYPE[o.type] ?? o.type}</td>
              <td>{splitText(o.before)}</td>
              <td>{splitText(o.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** The opportunities that keep their split, and why. */
function SkippedOpportunities({ impact }: { impact: CommissionImpact }) {
  if (impact.skipped.length === 0) return null;
  return (
    <details id="commission-impact-skipped">
      <summary>{num(impact.skipped.length)} opportunities keep their split, and why</summary>
      <ul>
        {impact.skipped.map((k) => (
          <li>
            <code>{k.code}</code> {k.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}
