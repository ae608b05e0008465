import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSolveCommand } from '../../src/cli/solve-command.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bookshift-cli-'));
  writeFileSync(
    join(dir, 'accounts.csv'),
    '\uFEFFaccount_id,account_name,owner_id,annual_revenue,region,protected,next_close_date\r\n' +
      'A1,Acme,R1,"$120,000.00",West,false,\r\nA2,"=HYPERLINK(""x"")",R1,80000,West,yes,2025-01-20\r\nA3,Initech,R2,50000,West,,\r\nA4,Umbrella,R3,200000,East,,\r\n',
  );
  writeFileSync(
    join(dir, 'reps.csv'),
    'rep_id,name,email,region,may_receive,departing,max_accounts,max_revenue\nR1,Ann,ann@x.com,West,true,true,,\nR2,Bob,bob@x.com,West,true,false,5,\nR4,Dee,dee@x.com,West,true,false,,"$1,000,000"\nR3,Cy,cy@x.com,East,true,false,,\n',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
}

describe('bookshift solve', () => {
  it('prints the JSON contract, writes a formula-safe proposal CSV and exits 0', async () => {
    const { io, out } = capture();
    const args = [
      '--accounts',
      join(dir, 'accounts.csv'),
      '--reps',
      join(dir, 'reps.csv'),
      '--kind',
      'departure',
      '--json',
      '--out',
      join(dir, 'p.csv'),
    ];
    const code = await runSolveCommand(args, io);
    expect(code).toBe(0);
    const json = JSON.parse(out.join(''));
    expect(json).toMatchObject({ status: 'optimal', engine: expect.any(String), millis: expect.any(Number) });
    for (const key of ['objective', 'lowerBound', 'gap', 'assignments', 'reps', 'conflicts'])
      expect(json).toHaveProperty(key);
    expect(json.assignments).toHaveLength(4);
    expect(json.assignments[0]).toEqual({
      accountId: 'A1',
      fromRepId: 'R1',
      toRepId: expect.stringMatching(/^R[24]$/),
      reason: expect.any(String),
    });
    const r1 = json.reps.find((r: { repId: string }) => r.repId === 'R1');
    expect(r1).toEqual({
      repId: 'R1',
      countBefore: 2,
      countAfter: 0,
      revenueBefore: 200000,
      revenueAfter: 0,
    });
    const csv = readFileSync(join(dir, 'p.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('account_id,from_rep_id,to_rep_id,moved,rule,reason');
    expect(csv).toContain('A1,R1,');
  });

  it('says each rule conflict as sentences: what is wrong, then "Fix:" and what to do', async () => {
    // Three $60 accounts, two reps capped at $100: a packing no assignment fits (and Ann already over her cap).
    writeFileSync(
      join(dir, 'accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\r\nA1,Acme,R1,60,West\r\nA2,Beta,R1,60,West\r\nA3,Gamma,R2,60,West\r\n',
    );
    writeFileSync(
      join(dir, 'reps.csv'),
      'rep_id,name,email,region,may_receive,departing,max_revenue\r\nR1,Ann,ann@x.com,West,true,false,100\r\nR2,Bob,bob@x.com,West,true,false,100\r\n',
    );
    const { io, out } = capture();
    const code = await runSolveCommand(
      ['--accounts', join(dir, 'accounts.csv'), '--reps', join(dir, 'reps.csv'), '--kind', 'realignment'],
      io,
    );
    expect(code).toBe(2);
    const lines = out
      .join('')
      .split('\n')
      .filter((l) => /^(blocking|warning):/.test(l));
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['blocking', 'warning']);
    for (const line of lines) expect(line).toMatch(/^(blocking|warning): [^\n]*[.!?] Fix: [^\n]*\.$/);
  });

  it('exits 2 with the reason on stderr when infeasible', async () => {
    writeFileSync(
      join(dir, 'reps.csv'),
      'rep_id,name,email,region,may_receive,departing,max_accounts\nR1,Ann,,West,true,true,\nR2,Bob,,West,true,false,1\nR3,Cy,,East,true,false,\n',
    );
    const { io, err } = capture();
    const code = await runSolveCommand(
      ['--accounts', join(dir, 'accounts.csv'), '--reps', join(dir, 'reps.csv'), '--kind', 'departure'],
      io,
    );
    expect(code).toBe(2);
    expect(err.join('')).toContain('West needs 2 more account slots');
  });

  it('exits 2 with row and column for a bad CSV value', async () => {
    writeFileSync(
      join(dir, 'accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,lots,West\n',
    );
    const { io, err } = capture();
    const code = await runSolveCommand(
      ['--accounts', join(dir, 'accounts.csv'), '--reps', join(dir, 'reps.csv')],
      io,
    );
    expect(code).toBe(2);
    expect(err.join('')).toContain('row 2, column annual_revenue');
  });

  it('runs through the package bin (npx bookshift)', () => {
    const res = spawnSync(
      process.execPath,
      [
        'bin/bookshift.mjs',
        'solve',
        '--accounts',
        join(dir, 'accounts.csv'),
        '--reps',
        join(dir, 'reps.csv'),
        '--kind',
        'departure',
        '--json',
        '--time-limit',
        '20',
      ],
      { encoding: 'utf8', cwd: join(import.meta.dirname, '../..') },
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).status).toBe('optimal');
  });

  it('reports both clocks: the real time taken and the work counted, which ends a reproducible solve', async () => {
    const { io, out } = capture();
    const args = [
      '--accounts',
      join(dir, 'accounts.csv'),
      '--reps',
      join(dir, 'reps.csv'),
      '--kind',
      'departure',
    ];
    expect(await runSolveCommand(args, io)).toBe(0);
    expect(out.join('')).toMatch(/wall clock \d+ ms, work clock \d+ ms/);
    const json = capture();
    await runSolveCommand([...args, '--json'], json.io);
    const result = JSON.parse(json.out.join(''));
    expect(result.millis).toBeGreaterThanOrEqual(0);
    expect(result.workMillis).toBeGreaterThanOrEqual(0);
    expect(result.reproducible).toBe(true);
  });

  it('diagnoses rules that contradict the book in its JSON before the answer: a rep already over a cap, with the fix', async () => {
    writeFileSync(
      join(dir, 'reps.csv'),
      'rep_id,name,email,region,may_receive,departing,max_accounts,max_revenue\nR1,Ann,ann@x.com,West,true,true,,\nR2,Bob,bob@x.com,West,true,false,5,"$40,000"\nR4,Dee,dee@x.com,West,true,false,,"$1,000,000"\nR3,Cy,cy@x.com,East,true,false,,\n',
    );
    const { io, out } = capture();
    const args = [
      '--accounts',
      join(dir, 'accounts.csv'),
      '--reps',
      join(dir, 'reps.csv'),
      '--kind',
      'departure',
      '--json',
    ];
    await runSolveCommand(args, io);
    const json = JSON.parse(out.join(''));
    expect(json.diagnosis).toEqual([
      expect.objectContaining({
        code: 'rep-over-cap',
        severity: 'warning',
        message: 'Bob already owns $50k, over the revenue cap of $40k by $10k.',
        fix: expect.stringContaining('Raise Bob'),
        repIds: ['R2'],
      }),
      expect.objectContaining({
        code: 'target-above-cap',
        message:
          'In West, 1 of 2 reps have a target above their revenue cap (e.g. Bob: target $125k, cap $40k).',
        fix: 'Raise the revenue caps in West by at least $85k, or add receiving reps to West; until then the balance cannot reach its targets.',
      }),
    ]);
  });
});
