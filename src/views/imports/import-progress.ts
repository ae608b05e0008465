/**
 * Progress of imports being applied in the background of this instance, so the page can poll it. Entries
 * are kept a while after the end so the last poll sees the outcome; the import record itself is in the database.
 */

import type { ImportOutcome } from '../../services/imports/import-records.ts';
import type { ImportProgress } from '../../services/imports/kind-writers.ts';

export interface ApplyState {
  orgId: string;
  userId: string;
  name: string;
  startedAt: number;
  progress: ImportProgress | null;
  outcome?: ImportOutcome;
  /** A whole-file problem or an unexpected failure, in words for the person. */
  error?: string;
}

const states = new Map<string, ApplyState>();
const KEEP_MS = 15 * 60 * 1000;

export function startTracking(token: string, state: Omit<ApplyState, 'progress' | 'startedAt'>): ApplyState {
  for (const [k, v] of states) if (Date.now() - v.startedAt > KEEP_MS) states.delete(k);
  const full: ApplyState = { ...state, startedAt: Date.now(), progress: null };
  states.set(token, full);
  return full;
}

export function tracked(token: string, owner: { orgId: string; userId: string }): ApplyState | null {
  const s = states.get(token);
  return s && s.orgId === owner.orgId && s.userId === owner.userId ? s : null;
}
