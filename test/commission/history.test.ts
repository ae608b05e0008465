import { describe, expect, it } from 'vitest';
import {
  applyEdits,
  houseGap,
  invertEdit,
  structureOn,
  validateHistory,
} from '../../src/commission/history.ts';
import type { SplitRow } from '../../src/commission/types.ts';
import { house, openSplit, rep } from './factories.ts';

const closed = (rows: SplitRow[], effectiveTo: string) => rows.map((r) => ({ ...r, effectiveTo }));

describe('validateHistory', () => {
  it('accepts consecutive splits', () => {
    const rows = [
      ...closed(openSplit('o', [house(4500), rep('a', 5500)], '2026-01-01'), '2026-01-31'),
      ...openSplit('o', [house(10000, 'house')], '2026-02-01').map((r) => ({ ...r, rowId: 'h2' })),
    ];
    expect(validateHistory(rows).ok).toBe(true);
    expect(structureOn(rows, '2026-01-31')?.participants.map((p) => p.bps)).toEqual([4500, 5500]);
    expect(structureOn(rows, '2026-02-01')?.participants.map((p) => p.bps)).toEqual([10000]);
    expect(structureOn(rows, '2025-12-31')).toBeNull();
  });
  it('refuses two splits in force on the same day, naming the day', () => {
    const rows = [
      ...openSplit('o', [house(4500), rep('a', 5500)], '2026-01-01'),
      ...openSplit('o', [rep('b', 10000)], '2026-03-01'),
    ];
    const r = validateHistory(rows);
    expect(!r.ok && r.refusal.code).toBe('SPLIT_TOTAL_NOT_10000');
    expect(!r.ok && r.refusal.message).toContain('The split in force on 2026-03-01');
  });
  it('refuses the same participant twice on one day', () => {
    const rows = [
      ...openSplit('o', [house(4500), rep('a', 5500)], '2026-01-01'),
      { ...openSplit('o', [rep('a', 0)], '2026-02-01')[0]!, rowId: 'dup' },
    ];
    expect(validateHistory(rows)).toMatchObject({
      ok: false,
      refusal: { code: 'SPLIT_DUPLICATE_PARTICIPANT' },
    });
  });
  it('refuses a row that ends before it starts, and dates that are not dates', () => {
    const rows = closed(openSplit('o', [house(10000)], '2026-01-10'), '2026-01-09');
    expect(validateHistory(rows)).toMatchObject({
      ok: false,
      refusal: { code: 'HISTORY_OVERLAP', path: 'splitRows.0.effectiveTo' },
    });
    const bad = openSplit('o', [house(10000)], '2026-02-30');
    expect(validateHistory(bad)).toMatchObject({ ok: false, refusal: { code: 'INVALID_DATE' } });
  });
});

describe('edits', () => {
  it('inverting twice gives the same edit', () => {
    const edit = {
      opportunityId: 'o',
      rowsToEnd: [{ rowId: 'x', effectiveToBefore: null, effectiveToAfter: '2026-01-01' }],
      rowsToAdd: openSplit('o', [house(10000)], '2026-01-02'),
      rowsToReopen: [],
      rowsToRemove: [],
    };
    expect(invertEdit(invertEdit(edit))).toEqual(edit);
  });
  it('refuses to end a row that is gone', () => {
    const r = applyEdits(
      [],
      [
        {
          opportunityId: 'o',
          rowsToEnd: [{ rowId: 'x', effectiveToBefore: null, effectiveToAfter: '2026-01-01' }],
          rowsToAdd: [],
          rowsToReopen: [],
          rowsToRemove: [],
        },
      ],
    );
    expect(!r.ok && r.refusal.message).toContain('"x" no longer exists');
  });
  it('counts the House gap strictly between the two dates', () => {
    expect(houseGap('2026-01-10', '2026-01-10')).toBeNull();
    expect(houseGap('2026-01-10', '2026-01-11')).toBeNull();
    expect(houseGap('2026-01-10', '2026-01-12')).toEqual({ from: '2026-01-11', to: '2026-01-11', days: 1 });
    expect(houseGap('2024-02-27', '2024-03-02')).toEqual({ from: '2024-02-28', to: '2024-03-01', days: 3 });
  });
});
