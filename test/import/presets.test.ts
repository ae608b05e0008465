import { describe, expect, it } from 'vitest';
import { ImportFileError } from '../../src/import/import-file-error.ts';
import { OwnerDirectory } from '../../src/import/owner-directory.ts';
import { detectPreset } from '../../src/import/presets.ts';
import type { AccountRecord, OpportunityRecord, RepRecord } from '../../src/import/records.ts';
import { scanImport } from '../../src/import/scan.ts';
import { allRecords, bytes, fixture, roster, scanText } from './helpers.ts';

const ACME = { name: 'Acme, Inc.', ownerCrmId: '0055g00000JaneDAAR', annualRevenueCents: 120_000_050 };
// Its revenue cell is blank: unknown, not 0.
const GLOBEX = { name: 'Globex "West"', ownerCrmId: '0055g00000JohnSAAR', annualRevenueCents: null };

describe('account presets, detected from real header layouts', () => {
  it.each([
    ['salesforce-account-report.csv', 'salesforce-account-report', 'CA'],
    ['salesforce-account-dataloader.csv', 'salesforce-account-dataloader', 'CA'],
    ['hubspot-company-export.csv', 'hubspot-company-export', 'California'],
    ['dynamics-account-export.csv', 'dynamics-account-export', 'CA'],
    ['generic-accounts.csv', 'generic-accounts', 'West'],
  ])('%s is read as %s without editing the file', async (file, presetId, acmeRegion) => {
    const scan = await scanImport(fixture(file), { maxRows: 100, context: { roster } });
    expect(scan.report.errors).toEqual([]);
    expect(scan.report.kind).toBe('accounts');
    expect(scan.report.presetId).toBe(presetId);
    const records = await allRecords<AccountRecord>(scan);
    expect(records[0]).toMatchObject({ ...ACME, region: acmeRegion, row: 2 });
    expect(records[1]).toMatchObject({ ...GLOBEX, row: 3 });
  });

  it('keeps unmapped columns as attributes', async () => {
    const scan = await scanImport(fixture('hubspot-company-export.csv'), {
      maxRows: 100,
      context: { roster },
    });
    const [acme] = await allRecords<AccountRecord>(scan);
    expect(acme!.attributes).toMatchObject({ City: 'San Jose', 'Lifecycle Stage': 'customer' });
  });

  it('matches an 18-character Salesforce owner id to the 15-character form and back', async () => {
    // A roster read from a Salesforce report holds 15-character ids; a Data Loader file writes 18.
    const reportRoster = new OwnerDirectory([
      { crmId: '0055g00000JaneD', name: 'Jane Doe' },
      { crmId: '0055g00000JohnS', name: 'John Smith' },
      { crmId: '0055g00000NewHI', name: 'Nia Newhire' },
    ]);
    const scan = await scanImport(fixture('salesforce-account-dataloader.csv'), {
      maxRows: 100,
      context: { roster: reportRoster },
    });
    expect(scan.report.errors).toEqual([]);
    const records = await allRecords<AccountRecord>(scan);
    expect(records.map((r) => r.ownerCrmId)).toEqual([
      '0055g00000JaneD',
      '0055g00000JohnS',
      '0055g00000NewHI',
    ]);

    // And back: owner ids copied from a report (15 characters) match the 18-character roster.
    const fromReport = await scanText(
      'account_id,account_name,owner_id\nA-1,One,0055g00000JaneD\nA-2,Two,0055g00000JohnS\n',
    );
    expect(fromReport.report.errors).toEqual([]);
    const owners = await allRecords<AccountRecord>(fromReport);
    expect(owners.map((r) => r.ownerCrmId)).toEqual(['0055g00000JaneDAAR', '0055g00000JohnSAAR']);
  });

  it('detects the roster, opportunity, split and schedule layouts', async () => {
    const reps = await scanImport(fixture('salesforce-user-dataloader.csv'), { maxRows: 100 });
    expect(reps.report.presetId).toBe('salesforce-user-dataloader');
    const users = await allRecords<RepRecord>(reps);
    expect(users.find((u) => u.crmId === '0055g00000OldGuAAJ')).toMatchObject({
      active: false,
      mayReceive: false,
    });
    expect(users[0]!.managerCrmId).toBe('0055g00000MgrXYAAZ');

    const opps = await scanImport(fixture('salesforce-opportunity-dataloader.csv'), {
      maxRows: 100,
      context: { roster },
    });
    expect(opps.report.presetId).toBe('salesforce-opportunity-dataloader');
    const [open, won] = await allRecords<OpportunityRecord>(opps);
    expect(open).toMatchObject({ status: 'open', createdDate: '2025-11-01', amountCents: 12_000_000 });
    expect(won).toMatchObject({ status: 'closed_won', ownerCrmId: '0055g00000JohnSAAR' });

    for (const [file, presetId] of [
      ['generic-opportunities.csv', 'generic-opportunities'],
      ['generic-splits.csv', 'generic-splits'],
      ['generic-schedules.csv', 'generic-schedules'],
      ['roster-generic.csv', 'generic-reps'],
    ]) {
      const scan = await scanImport(fixture(file!), { maxRows: 100, context: { roster } });
      expect([file, scan.report.presetId, scan.report.errors]).toEqual([file, presetId, []]);
    }
  });

  it('an unknown layout asks for a mapping, with a suggestion, instead of guessing', async () => {
    const text = 'Customer Number,Customer,Rep Email,Revenue (USD)\nC1,Acme,jane.doe@example.com,100\n';
    const error = await scanText(text, { kind: 'accounts' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    const details = (error as ImportFileError).details as {
      problem: string;
      data: { suggestedMapping: unknown };
    };
    expect(details.problem).toBe('UNKNOWN_LAYOUT');
    expect(details.data.suggestedMapping).toMatchObject({ kind: 'accounts' });

    const mapped = await scanText(text, {
      mapping: {
        kind: 'accounts',
        columns: {
          account_id: 'Customer Number',
          account_name: 'customer',
          owner_id: 'Rep Email',
          annual_revenue: 'Revenue (USD)',
        },
      },
    });
    expect(mapped.report.errors).toEqual([]);
    expect(mapped.report.preview[0]).toMatchObject({
      crmId: 'C1',
      ownerCrmId: '0055g00000JaneDAAR',
      annualRevenueCents: 10_000,
    });
  });

  it('a mapping that names columns the file lacks is a clear whole-file error', async () => {
    const error = await scanText('a,b\n1,2\n', {
      mapping: { kind: 'accounts', columns: { account_id: 'Id', account_name: 'b', owner_id: 'a' } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).problem).toBe('MISSING_COLUMNS');
    expect((error as Error).message).toMatch(/account_id → "Id"/);
  });

  it('prefers an owner id column over an owner name column', () => {
    const detected = detectPreset(['Account ID', 'Account Name', 'Account Owner', 'Account Owner ID']);
    expect(detected?.mapping.columns.owner_id).toBe('Account Owner ID');
  });

  it('reads semicolon-delimited files (European Excel) by sniffing the header', async () => {
    const scan = await scanImport(
      bytes('account_id;account_name;owner_id;annual_revenue\nA1;Acme;Jane Doe;"1.234,56"\n'),
      {
        maxRows: 10,
        context: { roster },
        mapping: {
          kind: 'accounts',
          columns: {
            account_id: 'account_id',
            account_name: 'account_name',
            owner_id: 'owner_id',
            annual_revenue: 'annual_revenue',
          },
          options: { decimalComma: true },
        },
      },
    );
    expect(scan.report.errors).toEqual([]);
    expect(scan.report.preview[0]).toMatchObject({ annualRevenueCents: 123_456 });
  });
});
