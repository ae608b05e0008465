/** One record, one identity: any Salesforce id in either form, any GUID in any spelling, maps to one id. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSalesforceId, to18 } from '../../src/exports/salesforce-id.ts';
import { canonicalCrmId } from '../../src/import/crm-id.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
const salesforceId15 = fc
  .array(fc.constantFrom(...ALNUM), { minLength: 15, maxLength: 15 })
  .map((cs) => cs.join(''))
  .filter((id) => /[a-zA-Z]/.test(id));
const guid = fc.uuid();

describe('canonicalCrmId', () => {
  it('a Salesforce id in 15 or 18 characters (checksum in any case, padded) is one 18-character id', () => {
    fc.assert(
      fc.property(salesforceId15, (id15) => {
        const id18 = to18(id15);
        const forms = [id15, id18, id18.slice(0, 15) + id18.slice(15).toLowerCase(), ` ${id15} `];
        const canonical = new Set(forms.map(canonicalCrmId));
        expect([...canonical]).toEqual([id18]);
        expect(isSalesforceId(id18)).toBe(true);
      }),
    );
  });

  it('two 15-character ids that differ only in case stay two records', () => {
    fc.assert(
      fc.property(salesforceId15, (id) => {
        const flipped = id.replace(/[a-zA-Z]/, (c) =>
          c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase(),
        );
        expect(canonicalCrmId(flipped)).not.toBe(canonicalCrmId(id));
      }),
    );
  });

  it('a GUID with or without braces, in any case, is one lower-case bare GUID', () => {
    fc.assert(
      fc.property(guid, (g) => {
        const forms = [g, g.toUpperCase(), `{${g.toUpperCase()}}`, `{${g}}`];
        expect(new Set(forms.map(canonicalCrmId))).toEqual(new Set([g.toLowerCase()]));
      }),
    );
  });

  it('leaves other ids as written: HubSpot numbers, 18 characters without a Salesforce checksum', () => {
    expect(canonicalCrmId('5012345678')).toBe('5012345678');
    expect(canonicalCrmId('123456789012345')).toBe('123456789012345');
    expect(canonicalCrmId('0055g00000JaneDAAA')).toBe('0055g00000JaneDAAA');
    expect(canonicalCrmId('HOUSE')).toBe('HOUSE');
    expect(canonicalCrmId('001Dn00000AbCdE')).toBe('001Dn00000AbCdEIAV');
  });
});
