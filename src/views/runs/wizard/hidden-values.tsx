/** What the other steps hold, carried through this one as hidden inputs: back and forward keep every entry. */
import { SEGMENT_FIELDS } from '../commission-strategy-fields.tsx';
import { STEP_FIELDS, type StepId, type WizardValues } from './model.ts';

const Hidden = ({ name, value }: { name: string; value: string }) => (
  <input type="hidden" name={name} value={value} />
);

export function HiddenValues({ values, step }: { values: WizardValues; step: StepId }) {
  const shown = new Set<string>(STEP_FIELDS[step]);
  const out = [];
  for (const [key, value] of Object.entries(values) as [
    keyof WizardValues,
    WizardValues[keyof WizardValues],
  ][]) {
    if (shown.has(key) || key === 'acctPage') continue;
    if (key === 'segmentRows') {
      values.segmentRows.forEach((row, i) => {
        for (const f of SEGMENT_FIELDS)
          if (row[f]) out.push(<Hidden name={`seg-${i}-${f}`} value={row[f]} />);
      });
    } else if (Array.isArray(value)) {
      for (const v of value as string[]) out.push(<Hidden name={key} value={v} />);
    } else if (typeof value === 'string' && value !== '') out.push(<Hidden name={key} value={value} />);
  }
  return <div hidden>{out}</div>;
}
