/** What the run would touch before anything is solved: the scope's figures, the rules' diagnosis, commission by type. */
import type { RunDiagnosis } from '../../../services/plan/diagnose-run.ts';
import type { Impact } from '../../../services/plan/draft-impact.ts';
import type { CommissionLine } from '../../../services/plan/wizard-choices.ts';
import { Stat } from '../../shared/components.tsx';
import { money, num, pct, scopeLabel } from '../../shared/format.ts';
import { DiagnosisPanel } from '../diagnosis-panel.tsx';
import type { WizardValues } from './model.ts';

const TYPE_LETTER: Record<string, string> = { house_absorbs: 'A', direct_transfer: 'B', custom: 'C' };

/** How the chosen commission strategy treats the open opportunities in scope (type by deciding segment). */
function CommissionPreview({ lines, values }: { lines: CommissionLine[]; values: WizardValues }) {
  const strategy =
    values.commissionStrategy === 'segmented'
      ? 'segmented strategy'
      : values.commissionStrategy === 'manual'
        ? 'manual queue'
        : 'uniform strategy';
  const unknown = lines.reduce((n, l) => n + l.unknownAmount, 0);
  return (
    <>
      <CommissionTable lines={lines} strategy={strategy} />
      {unknown > 0 && (
        <p class="small" id="impact-unknown-amounts">
          {num(unknown)} open opportunity(ies) have an unknown amount (blank in the CRM export): they are not
          counted as $0, and no deal-size segment takes them — the next matching segment or the default does.
        </p>
      )}
    </>
  );
}

function CommissionTable({ lines, strategy }: { lines: CommissionLine[]; strategy: string }) {
  return (
    <table id="impact-commission">
      <caption>Commission on open opportunities — {strategy}</caption>
      <thead>
        <tr>
          <th scope="col">Decided by</th>
          <th scope="col">Type</th>
          <th scope="col">Open opportunities</th>
          <th scope="col">Amount</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr data-type={l.type ?? 'undecided'} data-segment={l.segment ?? 'default'}>
            <td>
              {l.type === null
                ? 'A person, on the review page'
                : l.segment === null
                  ? 'Default type'
                  : `Segment ${l.segment}`}
            </td>
            <td>
              {l.type === null ? 'To decide' : `Type ${TYPE_LETTER[l.type] ?? l.type}`}
              {l.type === 'custom' && l.customBps !== null ? ` (new rep ${pct(l.customBps)})` : ''}
              {l.receiverName ? `, the share to ${l.receiverName}` : ''}
            </td>
            <td>{num(l.opportunities)}</td>
            <td>
              {l.unknownAmount === l.opportunities ? 'unknown' : money(l.amountCents)}
              {l.unknownAmount > 0 && l.unknownAmount < l.opportunities && (
                <span class="small muted"> (+{num(l.unknownAmount)} of unknown amount)</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImpactPanel({
  impact,
  values,
  commission,
  diagnosis,
}: {
  impact: Impact | null | undefined;
  values: WizardValues;
  commission?: CommissionLine[] | null | undefined;
  diagnosis?: RunDiagnosis | null | undefined;
}) {
  return (
    <div id="impact" aria-live="polite">
      {!impact ? (
        <p class="muted">
          Choose the scope first: this shows what the run would touch before anything is solved.
        </p>
      ) : (
        <>
          <dl class="stats" id="impact-stats">
            <Stat label="Accounts in scope">{num(impact.accounts)}</Stat>
            <Stat label="Annual revenue">{money(impact.revenueCents)}</Stat>
            <Stat label="Open opportunities">{num(impact.openOpportunities)}</Stat>
            <Stat label="Open pipeline">
              {money(impact.openAmountCents)}
              {impact.openUnknownAmount > 0 && (
                <span class="small muted" id="unknown-amounts">
                  {' '}
                  (+{num(impact.openUnknownAmount)} of unknown amount, not counted as $0)
                </span>
              )}
            </Stat>
            <Stat label="Revenue schedules ahead">
              {num(impact.schedules)} <span class="small muted">({money(impact.scheduledCents)})</span>
            </Stat>
          </dl>
          <ul>
            {impact.closingSoon > 0 && (
              <li>
                <strong>{num(impact.closingSoon)}</strong> open deal(s) close within 30 days: moving their
                account is flagged as a conflict for you to decide.
              </li>
            )}
            {impact.protectedAccounts > 0 && (
              <li>
                <strong>{num(impact.protectedAccounts)}</strong> house or co-owned account(s) are protected
                and stay where they are.
              </li>
            )}
            {impact.closedOpportunities > 0 && values.scope !== 'complete' && (
              <li>
                {num(impact.closedOpportunities)} closed opportunity(ies) keep their commission split (scope “
                {scopeLabel(values.kind, values.scope)}”).
              </li>
            )}
            {impact.accounts === 0 && (
              <li>Nothing is in scope yet: choose reps, regions, an account or an opportunity.</li>
            )}
          </ul>
          {diagnosis && <DiagnosisPanel diagnosis={diagnosis} />}
          {commission && commission.length > 0 && <CommissionPreview lines={commission} values={values} />}
        </>
      )}
    </div>
  );
}
