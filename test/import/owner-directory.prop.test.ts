/**
 * OwnerDirectory and Salesforce ids: a 15-character id is case-sensitive; an 18-character id names the exact id its
 * checksum encodes, in whatever case it was written; one whose checksum does not fit its first 15 characters is
 * reported as damaged, never matched by those 15 characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { to18 } from '../../src/exports/salesforce-id.ts';
import { OwnerDirectory } from '../../src/import/owner-directory.ts';
import { scanText } from './helpers.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
const id15 = fc
  .array(fc.constantFrom(...ALNUM), { minLength: 15, maxLength: 15 })
  .map((cs) => cs.join(''))
  .filter((id) => /[a-zA-Z]/.test(id));
const flipCase = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'.split('');

describe('OwnerDirectory with Salesforce ids', () => {
  it('finds a rep by its 15- or 18-character id, the 18 in any case', () => {
    fc.assert(
      fc.property(id15, (id) => {
        const rep = { crmId: to18(id), name: 'Jane Doe' };
        const directory = new OwnerDirectory([rep]);
        for (const form of [id, to18(id), to18(id).toUpperCase(), to18(id).toLowerCase()])
          expect(directory.match(form)).toEqual({ found: true, crmId: rep.crmId, by: 'id' });
      }),
    );
  });

  it('a 15-character id stays case-sensitive', () => {
    const withLetter = fc.tuple(id15, fc.nat(14)).filter(([id, i]) => /[a-zA-Z]/.test(id.charAt(i)));
    fc.assert(
      fc.property(withLetter, ([id, i]) => {
        const directory = new OwnerDirectory([{ crmId: to18(id), name: 'Jane Doe' }]);
        const changed = id.slice(0, i) + flipCase(id.charAt(i)) + id.slice(i + 1);
        expect(directory.match(changed)).toEqual({ found: false, ambiguous: false });
      }),
    );
  });

  it('an 18-character id whose checksum does not fit is damaged, not matched by its first 15 characters', () => {
    const damaged = fc
      .tuple(id15, fc.nat(2), fc.constantFrom(...SUFFIX))
      .filter(([id, at, c]) => to18(id).charAt(15 + at) !== c);
    fc.assert(
      fc.property(damaged, ([id, at, c]) => {
        const good = to18(id);
        const bad = good.slice(0, 15 + at) + c + good.slice(16 + at);
        const directory = new OwnerDirectory([{ crmId: good, name: 'Jane Doe' }]);
        expect(directory.match(bad)).toEqual({
          found: false,
          ambiguous: false,
          damaged: { checksum: bad.slice(15), expected: good.slice(15) },
        });
      }),
    );
  });

  it('an id stored as written (no Salesforce checksum) still matches exactly; e-mail and name come before damage', () => {
    const directory = new OwnerDirectory([
      { crmId: '0055g00000JaneDAAA', email: 'jane@example.com', name: 'Jane Doe' },
    ]);
    expect(directory.match('0055g00000JaneDAAA')).toMatchObject({ found: true, by: 'id' });
    expect(directory.match('0055g00000JaneD')).toEqual({ found: false, ambiguous: false });
    expect(directory.match('0055g00000JaneDAAB')).toMatchObject({
      found: false,
      damaged: { expected: 'AAR' },
    });
    expect(directory.match('jane@example.com')).toMatchObject({ found: true, by: 'email' });
  });
});

describe('a damaged id in a roster file', () => {
  it('a manager named by a damaged 18-character id is a row error saying so, not matched by its first 15', async () => {
    // Maria Manager is 0055g00000MgrXYAAZ in the roster; the file's checksum lost its last letter.
    const scan = await scanText(
      'rep_id,name,manager\r\n0055g00000JaneDAAR,Jane Doe,0055g00000MgrXYAAA\r\n0055g00000JohnSAAR,John Smith,0055G00000MGRXYAAZ\r\n',
      { kind: 'reps' },
    );
    expect(scan.report.errors).toEqual([
      {
        row: 2,
        column: 'manager',
        field: 'manager',
        value: '0055g00000MgrXYAAA',
        reason: expect.stringContaining('"0055g00000MgrXYAAA" looks like a damaged Salesforce id'),
        hint: expect.stringContaining('Re-export the report from Salesforce with 18-character ids'),
      },
    ]);
  });
});
