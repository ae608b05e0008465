/**
 * Export files derived from a committed change set (F9): the neutral change-set CSV, CRM-ready files
 * for Salesforce, HubSpot and Dynamics, an org's custom column layout, and the inverse file for a rollback.
 * Pure: the caller loads the lines; every cell goes through `toCsv`, which is safe against formula injection.
 */
import { type Cell, toCsv } from './csv-safe.ts';
import type { ExportFile, ExportLine } from './export-lines.ts';
import { type Unexpressed, unexpressed, unexpressedSection } from './unexpressed.ts';

export type { ExportFile, ExportLine, ExportOwner, ExportSplitParticipant } from './export-lines.ts';

export const NEUTRAL_FIELDS = [
  'batch_id',
  'change_id',
  'object',
  'record_id',
  'record_name',
  'old_owner_id',
  'old_owner_email',
  'new_owner_id',
  'new_owner_email',
  'effective_date',
  'reason',
  'strategy',
  'conflicts',
  'approved_by',
  'approved_at',
] as const;
export type NeutralField = (typeof NEUTRAL_FIELDS)[number];

function neutralValue(line: ExportLine, field: NeutralField): Cell {
  switch (field) {
    case 'batch_id':
      return line.batchId;
    case 'change_id':
      return line.changeId;
    case 'object':
      return line.object;
    case 'record_id':
      return line.recordId;
    case 'record_name':
      return line.recordName;
    case 'old_owner_id':
      return line.oldOwner?.crmUserId ?? '';
    case 'old_owner_email':
      return line.oldOwner?.email ?? '';
    case 'new_owner_id':
      return line.newOwner.crmUserId ?? '';
    case 'new_owner_email':
      return line.newOwner.email ?? '';
    case 'effective_date':
      return line.effectiveDate;
    case 'reason':
      return line.reason;
    case 'strategy':
      return line.strategy;
    case 'conflicts':
      return line.conflicts;
    case 'approved_by':
      return line.approvedBy;
    case 'approved_at':
      return line.approvedAt;
  }
}

export function neutralExport(lines: readonly ExportLine[], name = 'change-set.csv'): ExportFile {
  return {
    name,
    contentType: 'text/csv',
    rows: lines.length,
    body: toCsv(
      NEUTRAL_FIELDS,
      lines.map((l) => NEUTRAL_FIELDS.map((f) => neutralValue(l, f))),
    ),
  };
}

/** A layout an org saves once: its own headers, each reading one neutral field. */
export interface CustomLayout {
  columns: { header: string; field: NeutralField }[];
}

export function customExport(
  lines: readonly ExportLine[],
  layout: CustomLayout,
  name = 'change-set-custom.csv',
): ExportFile {
  return {
    name,
    contentType: 'text/csv',
    body: toCsv(
      layout.columns.map((c) => c.header),
      lines.map((l) => layout.columns.map((c) => neutralValue(l, c.field))),
    ),
  };
}

/** The file that undoes a change set: every line with its old and new owners swapped (for a rollback). */
export function inverseLines(lines: readonly ExportLine[]): ExportLine[] {
  return lines
    .filter((l) => l.oldOwner !== null)
    .map((l) => ({
      ...l,
      changeId: `${l.changeId}:inverse`,
      oldOwner: l.newOwner,
      newOwner: l.oldOwner!,
      splitBefore: l.splitAfter,
      splitAfter: l.splitBefore,
    }));
}

export { bpsToPercent, SALESFORCE_NOTES, salesforceExport, splitLookupQueries } from './salesforce.ts';

const splitCount = (lines: readonly ExportLine[]) =>
  lines.filter((l) => l.object === 'opportunity_split').length;

const splitsNote = (crm: string, lines: readonly ExportLine[]) => {
  const n = splitCount(lines);
  return n === 0
    ? ''
    : `\n${n} commission split change(s) are not in these files: ${crm} keeps no split records of this kind. They are in change-set.csv.\n`;
};

const HUBSPOT_ID = /^\d{1,20}$/;

/** HubSpot imports match the record by its Record ID (a number) and the owner by e-mail. */
export function hubspotExport(lines: readonly ExportLine[]): ExportFile[] {
  const skipped: Unexpressed[] = [];
  let houseRows = 0;
  const rows = (object: 'account' | 'opportunity') =>
    lines
      .filter((l) => l.object === object)
      .flatMap((l) => {
        if (!HUBSPOT_ID.test(l.recordId.trim())) {
          skipped.push(unexpressed(l, `"${l.recordId}" is not a HubSpot record id (a number)`));
          return [];
        }
        // The org's House owner goes by its owner id (HubSpot's owner column takes an id or an e-mail).
        if (l.newOwner.houseUser && l.newOwner.crmUserId) {
          houseRows += 1;
          return [[l.recordId.trim(), l.recordName, l.newOwner.crmUserId]];
        }
        if (!l.newOwner.email) {
          skipped.push(
            unexpressed(
              l,
              `the new owner ${l.newOwner.name} has no e-mail in the roster (HubSpot matches owners by e-mail)`,
            ),
          );
          return [];
        }
        return [[l.recordId.trim(), l.recordName, l.newOwner.email]];
      });
  const companies = rows('account');
  const deals = rows('opportunity');
  return [
    {
      name: 'hubspot/companies.csv',
      contentType: 'text/csv',
      body: toCsv(['Record ID', 'Company name', 'Company owner'], companies),
      rows: companies.length,
    },
    {
      name: 'hubspot/deals.csv',
      contentType: 'text/csv',
      body: toCsv(['Record ID', 'Deal name', 'Deal owner'], deals),
      rows: deals.length,
    },
    {
      name: 'hubspot/README.txt',
      contentType: 'text/plain',
      leftOut: skipped.length + splitCount(lines),
      body: `Bookshift export for HubSpot
============================

- companies.csv: Record ID, Company name, Company owner (the owner's e-mail). Import it as companies and
  choose "Update existing records" matched by Record ID.
- deals.csv: the same for deals.
${houseRows > 0 ? `- ${houseRows} row(s) go to House: their owner column holds the House owner id set in Admin > House users.\n` : ''}${splitsNote('HubSpot', lines)}${unexpressedSection('HubSpot', skipped)}`,
    },
  ];
}

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const bareGuid = (id: string) =>
  id
    .trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase();

/** Dynamics 365: the record GUID, the owner's systemuser GUID and the owner type. */
export function dynamicsExport(lines: readonly ExportLine[]): ExportFile[] {
  const skipped: Unexpressed[] = [];
  const rows = (object: 'account' | 'opportunity') =>
    lines
      .filter((l) => l.object === object)
      .flatMap((l) => {
        const owner = l.newOwner.crmUserId;
        const problem = !GUID.test(l.recordId.trim())
          ? `the record id "${l.recordId}" is not a Dynamics GUID`
          : !owner
            ? `the new owner ${l.newOwner.name} has no Dynamics user id in the roster`
            : !GUID.test(owner.trim())
              ? `the new owner ${l.newOwner.name} (${owner}) is not a Dynamics user: the id is not a GUID`
              : null;
        if (problem) {
          skipped.push(unexpressed(l, problem));
          return [];
        }
        return [[bareGuid(l.recordId), bareGuid(owner!), 'systemuser']];
      });
  const accounts = rows('account');
  const opportunities = rows('opportunity');
  const header = (idColumn: string) => [idColumn, 'ownerid', 'owneridtype'];
  return [
    {
      name: 'dynamics/accounts.csv',
      contentType: 'text/csv',
      body: toCsv(header('accountid'), accounts),
      rows: accounts.length,
    },
    {
      name: 'dynamics/opportunities.csv',
      contentType: 'text/csv',
      body: toCsv(header('opportunityid'), opportunities),
      rows: opportunities.length,
    },
    {
      name: 'dynamics/README.txt',
      contentType: 'text/plain',
      leftOut: skipped.length + splitCount(lines),
      body: `Bookshift export for Dynamics 365
================================

- accounts.csv: accountid, ownerid (the systemuser GUID), owneridtype. Import with the Data Import
  Wizard (or a dataflow) as an update of Account matched on accountid.
- opportunities.csv: the same for opportunities.
${splitsNote('Dynamics 365', lines)}${unexpressedSection('Dynamics 365', skipped)}`,
    },
  ];
}
