/**
 * Splits as their own file, one row per participant of an opportunity's commission. The rows of one
 * opportunity must total exactly 100%; when they do not, every one of its rows is reported.
 */
import { PARTICIPANTS, type Participant, type SplitRecord } from '../records.ts';
import type { RowError } from '../types.ts';
import type { KindHandler } from './handler.ts';

export function splitsHandler(): KindHandler<SplitRecord> {
  const groups = new Map<string, { rows: number[]; column: string; totalBps: number }>();

  return {
    keyField: 'rep_id',
    key: (record) =>
      `${record.opportunityCrmId}\u0000${record.participant}\u0000${record.repCrmId ?? ''}\u0000${record.effectiveDate ?? ''}`,
    build(r, context) {
      const opportunityCrmId = r.id('opportunity_id', true);
      if (opportunityCrmId && context.opportunity && !context.opportunity(opportunityCrmId)) {
        r.fail(
          'opportunity_id',
          `opportunity "${opportunityCrmId}" is not in the book`,
          'Import the opportunities first.',
        );
      }
      const participantText = r.text('participant', true)?.toLowerCase() ?? null;
      const participant = participantText as Participant | null;
      if (participantText !== null && !(PARTICIPANTS as readonly string[]).includes(participantText)) {
        r.fail(
          'participant',
          `"${r.raw('participant')}" is not a participant`,
          'Write house, rep or subagent.',
        );
      }
      const repCrmId = r.rep('rep_id', context.roster, participant === 'rep' || participant === 'subagent');
      if (participant === 'house' && r.raw('rep_id').trim() !== '') {
        r.fail(
          'rep_id',
          'a House share names no rep',
          'Leave rep_id blank on house rows (House is the company).',
        );
      }
      const pctBps = r.percent('pct', true);
      const effectiveDate = r.date('effective_date');
      if (r.errors.length > 0 || !opportunityCrmId || !participant || pctBps === null) return null;
      return {
        row: r.row,
        opportunityCrmId,
        participant,
        repCrmId: participant === 'house' ? null : repCrmId,
        pctBps,
        effectiveDate,
      };
    },
    observe(record, r) {
      const key = `${record.opportunityCrmId}\u0000${record.effectiveDate ?? ''}`;
      const group = groups.get(key) ?? { rows: [], column: r.column('pct'), totalBps: 0 };
      group.rows.push(record.row);
      group.totalBps += record.pctBps;
      groups.set(key, group);
    },
    finish() {
      const errors: RowError[] = [];
      for (const [key, group] of groups) {
        if (group.totalBps === 10_000) continue;
        const [opportunity] = key.split('\u0000');
        for (const row of group.rows) {
          errors.push({
            row,
            column: group.column,
            field: 'pct',
            value: '',
            reason: `the split of opportunity "${opportunity}" totals ${group.totalBps / 100}% (rows ${group.rows.join(', ')}), not 100%`,
            hint: 'Make the shares of one opportunity (and effective date) add up to exactly 100%.',
          });
        }
      }
      return errors;
    },
  };
}
