/** The last step: every choice in words (each with a way back to change it), the impact, then create (and solve). */
import type { Child } from 'hono/jsx';
import type { RepChoice } from '../../../services/book/rep-list.ts';
import { Alert } from '../../shared/components.tsx';
import { COMMISSION_TYPE_LABELS, kindLabel, num, scopeLabel } from '../../shared/format.ts';
import { ImpactPanel } from './impact-panel.tsx';
import {
  isBalancing,
  type SolveRefusal,
  STEP_TITLES,
  type StepId,
  TARGET_MODE_CHOICES,
  type WizardProps,
  type WizardValues,
} from './model.ts';
import { STRATEGIES } from './strategy-step.tsx';

const COMMISSION_STRATEGIES: Record<string, string> = {
  uniform: 'Uniform: one type for every open opportunity',
  segmented: 'Segmented: a type per segment, the default type for the rest',
  manual: 'Manual queue: decided opportunity by opportunity on the review page',
};

function names(ids: string[], reps: RepChoice[]) {
  const byId = new Map(reps.map((r) => [r.id, r.name]));
  return ids.map((id) => byId.get(id) ?? 'a rep no longer listed').join(', ');
}

function whatMoves(v: WizardValues, reps: RepChoice[]): string {
  const accounts =
    v.accountMode === 'selected' ? `; only the ${num(v.accountIds.length)} ticked account(s)` : '';
  switch (v.kind) {
    case 'rep_departure':
      return `The book of ${names(v.departingRepIds, reps) || 'nobody yet'}${accounts}`;
    case 'realignment':
      return `Regions: ${v.regions.join(', ') || 'every region'}; segments: ${v.segments.join(', ') || 'every segment'}${accounts}`;
    case 'new_hire':
      return `A starter book for ${names(v.hireRepIds, reps) || 'nobody yet'}${v.rampTargetPct ? ` (${v.rampTargetPct}% of a full book)` : ''}`;
    case 'account':
      return `Account ${v.accountCrmId || '(none yet)'} to ${names([v.newOwnerRepId].filter(Boolean), reps) || '(no owner yet)'}`;
    case 'opportunity':
      return `Opportunity ${v.opportunityCrmId || '(none yet)'} to ${names([v.newOwnerRepId].filter(Boolean), reps) || '(no owner yet)'}`;
    default:
      return '';
  }
}

function commissionLine(v: WizardValues): string {
  const type = COMMISSION_TYPE_LABELS[v.commissionType] ?? v.commissionType;
  const share = v.commissionType === 'custom' && v.customPct ? ` (${v.customPct}% to the new rep)` : '';
  return `${COMMISSION_STRATEGIES[v.commissionStrategy] ?? v.commissionStrategy}. ${type}${share}`;
}

function Row({ label, step, children }: { label: string; step: StepId | null; children: Child }) {
  return (
    <div class="summary-row">
      <dt>{label}</dt>
      <dd>
        {children}{' '}
        {step && (
          <button type="submit" name="go" value={step} class="link" formnovalidate>
            Change <span class="visually-hidden">{label.toLowerCase()}</span>
          </button>
        )}
      </dd>
    </div>
  );
}

function Summary({ props }: { props: WizardProps }) {
  const v = props.values;
  // Once the run is saved (a refused solve), its choices are changed on the draft, not here.
  const at = (step: StepId) => (props.refusal ? null : step);
  const ruleset = props.rulesets.find((r) => r.id === v.rulesetId);
  return (
    <dl id="wizard-summary" class="summary">
      <Row label="Kind" step={at('kind')}>
        {kindLabel(v.kind)}
      </Row>
      <Row label="What moves" step={at('scope')}>
        {whatMoves(v, props.reps)}
      </Row>
      <Row label="What changes" step={at('scope')}>
        {scopeLabel(v.kind, v.scope)}
      </Row>
      <Row label="Reason" step={at('scope')}>
        {v.reason || '(none yet)'}
      </Row>
      <Row label="Dates" step={at('scope')}>
        {v.commissionEndDate || v.reassignmentDate
          ? `Old split paid until ${v.commissionEndDate || '(not set)'}; new owner from ${v.reassignmentDate || '(not set)'}`
          : 'Not set: the run uses today'}
      </Row>
      {isBalancing(v.kind) && (
        <Row label="Balancing" step={at('strategy')}>
          {STRATEGIES[v.strategy] ?? v.strategy}
        </Row>
      )}
      <Row label="Rules" step={at('strategy')}>
        {ruleset ? `${ruleset.name} (version ${ruleset.version})` : 'The org’s default rules'}
      </Row>
      <Row label="Commission" step={at('strategy')}>
        {commissionLine(v)}
      </Row>
      {isBalancing(v.kind) && (
        <Row label="Targets and caps" step={at('assignment')}>
          {TARGET_MODE_CHOICES.find(([k]) => k === v.targetMode)?.[1] ?? v.targetMode}
          {v.objective === 'minimax' ? '; nobody far from target' : '; everyone close to target'}
          {v.maxAccountsPerRep ? `; at most ${v.maxAccountsPerRep} accounts per rep` : ''}
          {v.maxRevenuePerRep ? `; at most $${v.maxRevenuePerRep} revenue per rep` : ''}
        </Row>
      )}
    </dl>
  );
}

/** The solve limits refused to solve: the draft is kept; say where it is and what is solving now. */
function Refused({ refusal }: { refusal: SolveRefusal }) {
  return (
    <Alert kind="error" id="solve-refused">
      <p>
        <strong>The run was saved as a draft but not solved yet.</strong> {refusal.message}
      </p>
      <p>
        Your choices are kept in the draft:{' '}
        <a href={`/runs/${refusal.draftId}`} id="refused-draft">
          open the draft
        </a>{' '}
        and press Solve when a solve has finished. Do not create it again.
      </p>
      {refusal.solving.length > 0 && (
        <p>
          Solving now:{' '}
          {refusal.solving.map((r, i) => (
            <>
              {i > 0 && ', '}
              <a href={`/runs/${r.id}`}>{r.reason}</a>
            </>
          ))}
          .
        </p>
      )}
    </Alert>
  );
}

export function ReviewStep({ props }: { props: WizardProps }) {
  return (
    <>
      {props.refusal && <Refused refusal={props.refusal} />}
      <Summary props={props} />
      <h3>{STEP_TITLES.review}: what this run touches</h3>
      <ImpactPanel
        impact={props.impact}
        values={props.values}
        commission={props.commission}
        diagnosis={props.diagnosis ?? null}
      />
      <p>
        Solving proposes a new owner for every account in scope and flags anything a person must decide.
        Nothing changes in the book until a manager approves and commits.
      </p>
      {!props.refusal && (
        <div class="actions">
          <button type="submit" name="intent" value="solve" id="create-and-solve">
            Create the run and solve
          </button>
          <button type="submit" name="intent" value="draft" class="secondary" id="save-draft">
            Save as draft
          </button>
        </div>
      )}
    </>
  );
}
