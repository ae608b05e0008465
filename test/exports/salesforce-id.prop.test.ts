/**
 * The 18-character checksum both ways: to18 appends it, from18 reads the exact 15-character id back from it, so an
 * id whose case a spreadsheet changed is still the same record and one whose checksum does not fit is damaged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { from18, to18 } from '../../src/exports/salesforce-id.ts';

/**
 * Pairs computed by Salesforce's documented algorithm (each 5 characters, read right to left, a bit per capital
 * letter, index into A–Z0–5), independently of src: Salesforce's own example first, then ids as reports show them.
 */
const KNOWN_PAIRS: [string, string][] = [
  ['001D000000IqhSL', '001D000000IqhSLIAZ'],
  ['00D300000000Z6f', '00D300000000Z6fEAE'],
  ['005Dn00000JaneD', '005Dn00000JaneDIAR'],
  ['0015g00000AbCdE', '0015g00000AbCdEAAV'],
  ['a0X5g000004XyZq', 'a0X5g000004XyZqEAK'],
  ['00Q1t000003kFRu', '00Q1t000003kFRuEAM'],
  ['0061U00000RtXwA', '0061U00000RtXwAQAV'],
  ['0055g00000JaneD', '0055g00000JaneDAAR'],
];

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
const id15 = fc.array(fc.constantFrom(...ALNUM), { minLength: 15, maxLength: 15 }).map((cs) => cs.join(''));
const flipCase = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());

describe('the 18-character checksum', () => {
  it.each(KNOWN_PAIRS)('%s ↔ %s', (short, long) => {
    expect(to18(short)).toBe(long);
    expect(from18(long)).toBe(short);
    // A spreadsheet that upper- or lower-cased the whole id: the checksum still names the exact id.
    expect(from18(long.toUpperCase())).toBe(short);
    expect(from18(long.toLowerCase())).toBe(short);
  });

  it('any 15-character id round-trips through its 18-character form, in any case', () => {
    fc.assert(
      fc.property(id15, (id) => {
        const long = to18(id);
        expect(long.slice(0, 15)).toBe(id);
        expect(from18(long)).toBe(id);
        expect(from18(long.toUpperCase())).toBe(id);
        expect(from18(long.toLowerCase())).toBe(id);
      }),
    );
  });

  it('changing the case of one letter changes the checksum (and so the id it names)', () => {
    const withLetter = fc.tuple(id15, fc.nat(14)).filter(([id, i]) => /[a-zA-Z]/.test(id.charAt(i)));
    fc.assert(
      fc.property(withLetter, ([id, i]) => {
        const changed = id.slice(0, i) + flipCase(id.charAt(i)) + id.slice(i + 1);
        expect(to18(changed).slice(15)).not.toBe(to18(id).slice(15));
        expect(from18(to18(id).slice(0, 15) + to18(changed).slice(15))).toBe(changed);
      }),
    );
  });

  it('a checksum that cannot belong to the first 15 characters is no id', () => {
    // A capital letter where the id has a digit, or a suffix character outside A–Z and 0–5.
    expect(from18('001D000000IqhSL5AZ')).toBeNull();
    expect(from18('001D000000IqhSLI9Z')).toBeNull();
    expect(from18('001D000000IqhSL')).toBeNull();
  });
});
