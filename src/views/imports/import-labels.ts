/** Labels the import pages share: each kind of import and each CRM preset. */
import { PRESETS } from '../../import/presets.ts';
import type { ImportKind } from '../../import/types.ts';

export const KIND_LABELS: Record<ImportKind, string> = {
  accounts: 'Accounts (the book)',
  reps: 'Reps (the roster)',
  opportunities: 'Opportunities (with splits)',
  splits: 'Commission splits',
  schedules: 'Revenue schedules',
};

export function presetLabel(id: string | null) {
  if (!id) return 'Custom mapping';
  return PRESETS.find((p) => p.id === id)?.label ?? id;
}
