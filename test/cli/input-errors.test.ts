/**
 * CLI input errors in the user's terms: the CSV file, row (header = row 1) and column, or the rules file's
 * JSON path, or the flag, never the solver's internal path with a 0-based index; limits say what to do and
 * are checked before the whole file is parsed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSolveCommand } from '../../src/cli/solve-command.ts';

let dir: string;
const file = (name: string) => join(dir, name);
const REPS =
  'rep_id,name,email,region,may_receive,departing\nR1,Ann,,West,true,false\nR2,Bob,,West,true,false\n';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bookshift-cli-errors-'));
  writeFileSync(file('reps.csv'), REPS);
  writeFileSync(
    file('accounts.csv'),
    'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,100,West\nA2,Beta,R2,200,West\n',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(extra: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSolveCommand(
    ['--accounts', file('accounts.csv'), '--reps', file('reps.csv'), '--json', ...extra],
    { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
  );
  return { code, json: JSON.parse(out.join('')), err: err.join('') };
}

describe('bookshift solve: input errors', () => {
  it('a duplicate account id is reported at its CSV row and column', async () => {
    writeFileSync(
      file('accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,100,West\nA2,Beta,R2,200,West\nA1,Again,R2,300,West\n',
    );
    const { code, json, err } = await run();
    expect(code).toBe(2);
    expect(json.status).toBe('invalid');
    expect(json.issues).toContainEqual({
      file: file('accounts.csv'),
      row: 4,
      column: 'account_id',
      message: 'duplicate account id "A1"',
    });
    expect(err).toContain(`${file('accounts.csv')} row 4, column account_id: duplicate account id "A1"`);
    expect(err).not.toMatch(/accounts\.\d/);
  });

  it('an unknown owner and a duplicate rep name their rows and columns in both files', async () => {
    writeFileSync(file('reps.csv'), `${REPS}R1,Ann again,,West,true,false\n`);
    writeFileSync(
      file('accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,100,West\nA2,Beta,NOBODY,200,West\n',
    );
    const { code, err } = await run();
    expect(code).toBe(2);
    expect(err).toContain(
      `${file('accounts.csv')} row 3, column owner_id: owner "NOBODY" is not in the reps list`,
    );
    expect(err).toContain(`${file('reps.csv')} row 4, column rep_id: duplicate rep id "R1"`);
  });

  it('an issue in the rules file names its JSON path; a flag out of range names the flag', async () => {
    writeFileSync(file('rules.json'), JSON.stringify({ newHire: { hireRepIds: ['R1', 'NOPE'] } }));
    const rules = await run(['--rules', file('rules.json'), '--kind', 'new-hire']);
    expect(rules.code).toBe(2);
    expect(rules.err).toContain(
      `${file('rules.json')}, newHire.hireRepIds[1]: hire "NOPE" is not in the reps list`,
    );
    const limit = await run(['--time-limit', '5000']);
    expect(limit.code).toBe(2);
    expect(limit.err).toMatch(/--time-limit: at most 600 s/);
  });

  it('refuses 300,000 accounts from the file itself, saying to split the run by region', async () => {
    const lines = ['account_id,account_name,owner_id,annual_revenue,region'];
    for (let i = 0; i < 300_000; i++) lines.push(`A${i},Account ${i},R${1 + (i % 2)},${1000 + i},West`);
    writeFileSync(file('accounts.csv'), `${lines.join('\n')}\n`);
    const { code, json, err } = await run();
    expect(code).toBe(2);
    expect(json.status).toBe('invalid');
    expect(json.issues[0].file).toBe(file('accounts.csv'));
    expect(err).toContain('more than 200,000 accounts, the most one solve takes: split the run by region');
    expect(err).not.toMatch(/Too big|<=200000/);
  }, 60_000);
});
