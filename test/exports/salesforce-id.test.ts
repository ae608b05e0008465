import { describe, expect, it } from 'vitest';
import { isSalesforceId, to18 } from '../../src/exports/salesforce-id.ts';

describe('Salesforce 15 → 18 character ids', () => {
  it('matches known pairs', () => {
    // Salesforce's documented example, and pairs whose checksum follows directly from the rule by hand.
    expect(to18('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
    expect(to18('aaaaaaaaaaaaaaa')).toBe('aaaaaaaaaaaaaaaAAA');
    expect(to18('AAAAAAAAAAAAAAA')).toBe('AAAAAAAAAAAAAAA555');
    expect(to18('ABCDEabcdeABCDE')).toBe('ABCDEabcdeABCDE5A5');
    expect(to18('a0000B0000000C0')).toBe('a0000B0000000C0ABI');
  });

  it('keeps a correct 18-character id and rejects a wrong checksum or a non-id', () => {
    expect(to18('001D000000IqhSLIAZ')).toBe('001D000000IqhSLIAZ');
    expect(to18('001D000000IqhSLiaz')).toBe('001D000000IqhSLIAZ');
    expect(() => to18('001D000000IqhSLAAA')).toThrow(/should be IAZ/);
    expect(() => to18('001D000000IqhS')).toThrow(/not a Salesforce id/);
    expect(() => to18('001D000000Iqh-L')).toThrow(/not a Salesforce id/);
    expect(isSalesforceId('001D000000IqhSL')).toBe(true);
    expect(isSalesforceId('001D000000IqhSLAAA')).toBe(false);
  });

  it('tells apart ids that differ only in case', () => {
    expect(to18('001D000000IqhSL').toLowerCase()).not.toBe(to18('001D000000IQHSL').toLowerCase());
  });
});
