/**
 * The rules in force and what in them contradicts the book (issue 13): shown in the wizard's impact preview
 * before the solve, and on the run's page. Each problem has its numbers and the fix.
 */
import type { RunDiagnosis } from '../../services/plan/diagnose-run.ts';
import { money } from '../shared/format.ts';

export function RulesInForce({
  diagnosis,
}: {
  diagnosis: Pick<RunDiagnosis, 'ruleset' | 'eligibility' | 'unknownRevenue'>;
}) {
  return (
    <p id="rules-in-force">
      <strong>Rules in force:</strong>{' '}
      {diagnosis.ruleset
        ? `${diagnosis.ruleset.name} (version ${diagnosis.ruleset.version})`
        : 'the built-in default rules'}
      . <span id="eligibility-rule">{diagnosis.eligibility}</span>{' '}
      <span id="unknown-revenue-rule">{diagnosis.unknownRevenue}</span>
    </p>
  );
}

export function DiagnosisPanel({ diagnosis }: { diagnosis: RunDiagnosis }) {
  const blocking = diagnosis.diagnosis.filter((d) => d.severity === 'blocking');
  const warnings = diagnosis.diagnosis.filter((d) => d.severity === 'warning');
  return (
    <div id="diagnosis">
      <RulesInForce diagnosis={diagnosis} />
      {diagnosis.hireBounds.map((b) => (
        <p class="small">
          {b.name}’s starter book: target {Math.round(b.targetCount)} accounts and{' '}
          {money(Math.round(b.targetRevenueCents))}; at most {b.maxAccounts} accounts and{' '}
          {money(b.maxRevenueCents)} (target plus {b.toleranceBps / 100}%).
        </p>
      ))}
      {diagnosis.diagnosis.length === 0 ? (
        <p class="muted" id="diagnosis-ok">
          No rule contradicts the book: every rep is within its caps and there is room for every account.
        </p>
      ) : (
        <div role={blocking.length > 0 ? 'alert' : undefined}>
          <h3>
            {blocking.length > 0
              ? `${blocking.length} rule problem(s) stop a solve`
              : `${warnings.length} rule problem(s) to look at`}
          </h3>
          <ul id="diagnosis-list">
            {[...blocking, ...warnings].map((d) => (
              <li data-code={d.code} data-severity={d.severity}>
                <strong>{d.severity === 'blocking' ? 'Blocks the solve: ' : 'Warning: '}</strong>
                {d.message} <em>Fix:</em> {d.fix}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
