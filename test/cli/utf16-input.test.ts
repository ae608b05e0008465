/**
 * The CLI reads UTF-16 files as Excel writes them: "Unicode Text" (UTF-16LE with a BOM, tab-separated, CRLF,
 * a value over two lines in quotes) and UTF-16BE with a BOM; errors keep the spreadsheet's rows and the
 * header's columns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAccountsCsv, readRepsCsv } from '../../src/cli/csv-input.ts';
import { runSolveCommand } from '../../src/cli/solve-command.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/cli/${name}`, import.meta.url));
/** UTF-16LE with a BOM and CRLF, tab-separated: Excel's "Unicode Text". */
const unicodeText = (rows: string[]) =>
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf16le')]);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bookshift-cli-utf16-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(accounts: string, reps: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSolveCommand(
    ['--accounts', accounts, '--reps', reps, '--kind', 'departure', '--time-limit', '2', '--json'],
    { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
  );
  return { code, json: JSON.parse(out.join('')), err: err.join('') };
}

describe('bookshift solve: UTF-16 files', () => {
  it('reads Excel "Unicode Text" with its accents, quotes, a value over two lines and a blank row, rows numbered as Excel does', async () => {
    const read = await readAccountsCsv(fixture('accounts-unicode-text.txt'));
    expect(read.rowNumbers).toEqual([2, 3, 5, 6]);
    expect(read.rows).toEqual([
      expect.objectContaining({
        id: 'A1',
        name: 'Société Générale',
        ownerId: 'RÉ1',
        revenueCents: 125_000_00,
      }),
      expect.objectContaining({
        id: 'A2',
        name: 'Acme\nHQ, Building 2',
        revenueCents: 80_500_00,
        tier: 'enterprise',
      }),
      expect.objectContaining({ id: 'A3', name: '12" Display Co', revenueCents: 42_000_00 }),
      expect.objectContaining({ id: 'A4', name: 'Müller & Söhne, GmbH', revenueCents: 9_999_99 }),
    ]);
    const reps = await readRepsCsv(fixture('reps-unicode-text.txt'));
    expect(reps.rows).toEqual([
      expect.objectContaining({ id: 'RÉ1', name: 'Zoé Ångström', departing: true }),
      expect.objectContaining({ id: 'R2', departing: false }),
      expect.objectContaining({ id: 'R3', maxRevenueCents: 200_000_00 }),
    ]);
  });

  it('UTF-16BE, comma-separated: the same rows', async () => {
    const be = await readAccountsCsv(fixture('accounts-utf16be.csv'));
    const le = await readAccountsCsv(fixture('accounts-unicode-text.txt'));
    expect(be).toEqual(le);
  });

  it('solves from Unicode Text files: the leaver RÉ1 hands A1 and A3 on', async () => {
    const { code, json } = await run(fixture('accounts-unicode-text.txt'), fixture('reps-unicode-text.txt'));
    expect(code).toBe(0);
    const moved = json.assignments.filter((a: { fromRepId: string }) => a.fromRepId === 'RÉ1');
    expect(moved.map((a: { accountId: string }) => a.accountId).sort()).toEqual(['A1', 'A3']);
    expect(moved.every((a: { toRepId: string }) => a.toRepId !== 'RÉ1')).toBe(true);
  });

  it('names bad values at the spreadsheet row (after a value over two lines and a blank row) and the header column', async () => {
    const { code, json, err } = await run(
      fixture('accounts-unicode-text-errors.txt'),
      fixture('reps-unicode-text.txt'),
    );
    expect(code).toBe(2);
    const file = fixture('accounts-unicode-text-errors.txt');
    expect(json.issues).toEqual([
      {
        file,
        row: 4,
        column: 'annual_revenue',
        message: expect.stringMatching(/"about 5k" is not an amount/),
      },
      { file, row: 4, column: 'protected', message: '"maybe" is not true/false' },
    ]);
    expect(err).toContain(`${file} row 4, column annual_revenue:`);
  });

  it("the solver's own issues (a duplicate id) name the UTF-16 file's row and column", async () => {
    writeFileSync(
      join(dir, 'accounts.txt'),
      unicodeText([
        'account_id\taccount_name\towner_id\tannual_revenue\tregion',
        'A1\t"Two\nlines"\tR2\t100\tWest',
        'A1\tAgain\tR2\t200\tWest',
      ]),
    );
    writeFileSync(
      join(dir, 'reps.txt'),
      unicodeText([
        'rep_id\tname\temail\tregion\tmay_receive\tdeparting',
        'R1\tAnn\t\tWest\tTRUE\tTRUE',
        'R2\tBob\t\tWest\tTRUE\tFALSE',
      ]),
    );
    const { code, json } = await run(join(dir, 'accounts.txt'), join(dir, 'reps.txt'));
    expect(code).toBe(2);
    expect(json.issues).toContainEqual({
      file: join(dir, 'accounts.txt'),
      row: 3,
      column: 'account_id',
      message: 'duplicate account id "A1"',
    });
  });
});
