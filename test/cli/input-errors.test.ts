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
    // The first row past the limit: header row 1, then 200,000 accounts.
    expect(json.issues[0].row).toBe(200_002);
    expect(err).toContain('more than 200,000 accounts, the most one solve takes: split the run by region');
    expect(err).not.toMatch(/Too big|<=200000/);
  }, 60_000);

  it('a CRM export (BOM, CRLF, quoted commas, a value over two lines, blank rows) is read as a spreadsheet shows it', async () => {
    // Row 1 header; row 2 Acme; row 3 blank; row 4 a name with a comma and quotes; row 5 a note over two lines;
    // row 6 only commas (as spreadsheets export an emptied row); row 7 repeats Acme's id.
    writeFileSync(
      file('accounts.csv'),
      '\uFEFFAccount_ID,Account_Name,Owner_ID,Annual_Revenue,Region\r\n' +
        'A1,"Acme, Inc.",R1,"$1,200.50",West\r\n' +
        '\r\n' +
        'A2,"Beta ""The Best"" LLC",R2,300,West\r\n' +
        'A3,"Gamma\r\nHoldings",R1,$75,West\r\n' +
        ',,,,\r\n' +
        'A1,Acme again,R2,10,West\r\n',
    );
    const { code, json, err } = await run();
    expect(code).toBe(2);
    expect(json.issues).toEqual([
      { file: file('accounts.csv'), row: 7, column: 'account_id', message: 'duplicate account id "A1"' },
    ]);
    expect(err).toContain(`${file('accounts.csv')} row 7, column account_id: duplicate account id "A1"`);
    // Without the duplicate the same file solves.
    writeFileSync(
      file('accounts.csv'),
      '\uFEFFAccount_ID,Account_Name,Owner_ID,Annual_Revenue,Region\r\nA1,"Acme, Inc.",R1,"$1,200.50",West\r\n\r\nA2,"Beta ""The Best"" LLC",R2,300,West\r\nA3,"Gamma\r\nHoldings",R1,$75,West\r\n,,,,\r\n',
    );
    const ok = await run();
    expect(ok.code).toBe(0);
    expect(ok.json.assignments.map((a: { accountId: string }) => a.accountId).sort()).toEqual([
      'A1',
      'A2',
      'A3',
    ]);
  });

  it('a Windows-1252 file (Excel on Windows) is read with its accents', async () => {
    writeFileSync(
      file('reps.csv'),
      Buffer.from(
        'rep_id,name,email,region,may_receive,departing\r\nRÉ1,Zoé,,Île-de-France,true,false\r\nR2,Bob,,Île-de-France,true,false\r\n',
        'latin1',
      ),
    );
    writeFileSync(
      file('accounts.csv'),
      Buffer.from(
        'account_id,account_name,owner_id,annual_revenue,region\r\nA1,Société Générale,RÉ1,100,Île-de-France\r\n',
        'latin1',
      ),
    );
    const { code, json } = await run();
    expect(code).toBe(0);
    expect(json.reps.map((r: { repId: string }) => r.repId)).toContain('RÉ1');
  });

  it('what a CSV parser cannot read is named at its row and column, with the fix', async () => {
    writeFileSync(
      file('accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,100,West\n\nA2,Beta, Inc.,R2,200,West\n',
    );
    const extra = await run();
    expect(extra.code).toBe(2);
    expect(extra.err).toContain(
      `${file('accounts.csv')} row 4, column -: 6 values where the header has 5 columns: a value that holds a comma needs double quotes`,
    );
    writeFileSync(
      file('accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,100,West\nA2,"Beta,R2,200,West\n',
    );
    const quote = await run();
    expect(quote.code).toBe(2);
    expect(quote.json.issues).toEqual([
      {
        file: file('accounts.csv'),
        row: 3,
        column: 'account_name',
        message: 'a value opened with a double quote here is never closed: add the closing double quote',
      },
    ]);
    const missing = await run(['--reps', file('no-such-reps.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`${file('no-such-reps.csv')}: no such file`);
  });

  it("the solver's checks speak the file's terms: empty cells, amounts out of range, unknown rules options", async () => {
    writeFileSync(
      file('accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,100,\nA2,Beta,R2,"$500,000,000,000",West\n',
    );
    const cells = await run();
    expect(cells.code).toBe(2);
    expect(cells.err).toContain(`${file('accounts.csv')} row 2, column region: must not be empty`);
    expect(cells.err).toMatch(/row 3, column annual_revenue: at most \$400,000,000,000 per account/);
    expect(cells.err).not.toMatch(/Too (big|small)|expected string|<=/);
    writeFileSync(
      file('accounts.csv'),
      'account_id,account_name,owner_id,annual_revenue,region\nA1,Acme,R1,100,West\n',
    );
    writeFileSync(file('rules.json'), '{\n  "strategy": "optimal",\n  "closingWithin": 30\n}\n');
    const unknown = await run(['--rules', file('rules.json')]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(`${file('rules.json')}, closingWithin: unknown option "closingWithin"`);
    writeFileSync(file('rules.json'), '{\n  "strategy": "optimal",\n  "kind": \n}\n');
    const broken = await runText(['--rules', file('rules.json')]);
    expect(broken.code).toBe(2);
    expect(broken.err).toContain(`${file('rules.json')}: not valid JSON at line 4, column 1: unexpected "}"`);
  });
});

async function runText(extra: string[]) {
  const err: string[] = [];
  const code = await runSolveCommand(
    ['--accounts', file('accounts.csv'), '--reps', file('reps.csv'), ...extra],
    { stdout: () => {}, stderr: (s) => err.push(s) },
  );
  return { code, err: err.join('') };
}

describe('bookshift solve: files it cannot read or write', () => {
  async function runRaw(extra: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSolveCommand(
      ['--accounts', file('accounts.csv'), '--reps', file('reps.csv'), '--time-limit', '1', ...extra],
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
    );
    return { code, out: out.join(''), err: err.join('') };
  }

  it('an --out in a folder that does not exist, or a folder, is refused before the solve, naming the flag', async () => {
    const missing = await runRaw(['--out', join(dir, 'no-such-folder', 'proposal.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      `--out ${join(dir, 'no-such-folder', 'proposal.csv')}: the folder ${join(dir, 'no-such-folder')} does not exist\n`,
    );
    // Refused before solving: nothing was answered.
    expect(missing.out).toBe('');
    const folder = await runRaw(['--out', dir]);
    expect(folder.code).toBe(2);
    expect(folder.err).toBe(`--out ${dir}: is a folder: give a file name, like proposal.csv\n`);
  });

  it('a rules file that is a folder or missing is named with what is wrong, no errno', async () => {
    const folder = await runRaw(['--rules', dir]);
    expect(folder.code).toBe(2);
    expect(folder.err).toBe(`${dir}: is a folder, not a file\n`);
    const missing = await runRaw(['--rules', join(dir, 'rules.json')]);
    expect(missing.err).toBe(`${join(dir, 'rules.json')}: no such file or folder\n`);
  });
});
