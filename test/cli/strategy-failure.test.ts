/**
 * A simple strategy that gets stuck is not "infeasible" unless no assignment exists: the CLI says which rule
 * failed, on which account and with which reps full (exit 3, no answer), and exits 2 only with a proof.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSolveCommand } from '../../src/cli/solve-command.ts';
import { bruteForceOptimum } from '../solver/brute-force.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bookshift-cli-strategy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REPS =
  'rep_id,name,email,region,may_receive,departing,max_revenue,max_accounts\r\nGONE,Gone,,West,false,true,,\r\nR1,Ann,,West,true,false,$100.00,\r\nR2,Bob,,West,true,false,$100.00,\r\n';

async function run(accounts: string, strategy: string, reps = REPS) {
  writeFileSync(join(dir, 'accounts.csv'), accounts);
  writeFileSync(join(dir, 'reps.csv'), reps);
  writeFileSync(join(dir, 'rules.json'), JSON.stringify({ strategy }));
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSolveCommand(
    [
      '--accounts',
      join(dir, 'accounts.csv'),
      '--reps',
      join(dir, 'reps.csv'),
      '--rules',
      join(dir, 'rules.json'),
      '--kind',
      'departure',
      '--json',
    ],
    { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
  );
  return { code, json: JSON.parse(out.join('')), err: err.join('') };
}

describe('bookshift solve: a simple strategy that gets stuck', () => {
  // Round-robin gives A1 to Ann and A2 to Bob, then the $100 account fits neither; A1 and A2 with Ann and A3
  // with Bob holds every cap.
  const STUCK =
    'account_id,account_name,owner_id,annual_revenue,region\r\nA1,One,GONE,50,West\r\nA2,Two,GONE,50,West\r\nA3,Big,GONE,100,West\r\n';

  it('round-robin: exit 3 (no answer, not infeasible), naming the rule, the account, the full reps, and that an assignment exists', async () => {
    expect(
      bruteForceOptimum({
        kind: 'departure',
        accounts: [
          { id: 'A1', ownerId: 'GONE', revenueCents: 50_00, region: 'West' },
          { id: 'A2', ownerId: 'GONE', revenueCents: 50_00, region: 'West' },
          { id: 'A3', ownerId: 'GONE', revenueCents: 100_00, region: 'West' },
        ],
        reps: [
          { id: 'GONE', name: 'Gone', region: 'West', departing: true },
          { id: 'R1', name: 'Ann', region: 'West', maxRevenueCents: 100_00 },
          { id: 'R2', name: 'Bob', region: 'West', maxRevenueCents: 100_00 },
        ],
      }),
    ).not.toBeNull();
    const { code, json, err } = await run(STUCK, 'round-robin');
    expect(code).toBe(3);
    expect(json.status).toBe('timeout');
    expect(json.reason).toMatch(
      /^The round-robin strategy found no answer: by its rule \(each account in turn to the next rep who may take it and has room\), A3 \(\$100\.00\) came when no rep who may take it had room left: R1 \(\$50\.00 of its \$100\.00 cap\), R2 \(\$50\.00 of its \$100\.00 cap\)\. An assignment under every cap exists: solve with the optimal strategy/,
    );
    expect(err).toContain('The round-robin strategy found no answer');
    expect(err).not.toMatch(/infeasible/);
  });

  it('the optimal strategy answers the same book (exit 0)', async () => {
    const { code, json } = await run(STUCK, 'optimal');
    expect(code).toBe(0);
    expect(json.assignments.find((a: { accountId: string }) => a.accountId === 'A3').toRepId).toBeDefined();
  });

  it('least-loaded: the revenue cap and the account cap that stopped it are named', async () => {
    // Largest first to the rep with the fewest accounts: A1 ($100) to Ann (a tie, the first), A2 to Bob,
    // whose one place is then taken; A3 fits neither. Bob with A1 and Ann with A2 and A3 holds every cap.
    const reps =
      'rep_id,name,email,region,may_receive,departing,max_revenue,max_accounts\r\nGONE,Gone,,West,false,true,,\r\nR1,Ann,,West,true,false,100,\r\nR2,Bob,,West,true,false,,1\r\n';
    const accounts =
      'account_id,account_name,owner_id,annual_revenue,region\r\nA1,One,GONE,100,West\r\nA2,Two,GONE,60,West\r\nA3,Three,GONE,40,West\r\n';
    const { code, json } = await run(accounts, 'least-loaded', reps);
    expect(code).toBe(3);
    expect(json.reason).toMatch(
      /The least-loaded strategy found no answer: by its rule \(largest accounts first, each to the rep with the fewest accounts who has room\), A3 \(\$40\.00\) came when no rep who may take it had room left: R1 \(\$100\.00 of its \$100\.00 cap\), R2 \(1 of its 1 accounts\)\. An assignment under every cap exists/,
    );
  });

  it('round-robin on a book no assignment fits: exit 2 with the proof (the accounts that cannot fit and the reps)', async () => {
    const { code, json, err } = await run(
      'account_id,account_name,owner_id,annual_revenue,region\r\nA1,One,GONE,60,West\r\nA2,Two,GONE,60,West\r\nA3,Three,GONE,60,West\r\nA4,Small,GONE,1,West\r\n',
      'round-robin',
    );
    expect(code).toBe(2);
    expect(json.status).toBe('infeasible');
    expect(json.reasons).toHaveLength(1);
    expect([...json.reasons[0].accountIds].sort()).toEqual(['A1', 'A2', 'A3']);
    expect([...json.reasons[0].repIds].sort()).toEqual(['R1', 'R2']);
    expect(err).toMatch(/infeasible:\n.*A1 \$60\.00, A2 \$60\.00, A3 \$60\.00.*R1.*R2/);
  });
});
