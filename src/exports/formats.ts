/**
 * Export files derived from a committed change set (MISSION.md F9): the neutral change-set CSV, CRM-ready files
 * for Salesforce, HubSpot and Dynamics, an org's custom column layout, and the inverse file for a rollback.
 * Pure: the caller loads the lines; every cell goes through `toCsv`, which is safe against formula injection.
 */
import { type Cell, toCsv } from './csv-safe.ts';
import { to18 } from './salesforce-id.ts';

export interface ExportOwner {
  /** The owner's id in the CRM (Salesforce user id, HubSpot owner id, Dynamics systemuser GUID). */
  crmUserId: string | null;
  email: string | null;
  name: string;
}

export interface ExportSplitParticipant {
  owner: ExportOwner;
  bps: number;
  /** The CRM id of the existing split record, when the book was imported with it (needed to delete it). */
  crmSplitId?: string | null;
}

export interface ExportLine {
  batchId: string;
  changeId: string;
  object: 'account' | 'opportunity' | 'opportunity_split';
  recordId: string;
  recordName: string;
  oldOwner: ExportOwner | null;
  newOwner: ExportOwner;
  effectiveDate: string;
  reason: string;
  strategy: string;
  conflicts: string;
  approvedBy: string;
  approvedAt: string;
  /** For opportunity_split lines: the structure before and after. */
  splitBefore?: ExportSplitParticipant[];
  splitAfter?: ExportSplitParticipant[];
}

export interface ExportFile {
  name: string;
  contentType: 'text/csv' | 'text/plain';
  body: string;
}

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

function requireCrmUser(owner: ExportOwner, line: ExportLine, crm: string): string {
  if (!owner.crmUserId) {
    throw new Error(
      `${crm} export: ${owner.name} (new owner of ${line.recordName}) has no ${crm} user id. Add it to the roster and export again.`,
    );
  }
  return owner.crmUserId;
}

/** Basis points as a Salesforce percentage with two decimals, exactly: 5500 → "55.00". */
export function bpsToPercent(bps: number): string {
  return `${Math.trunc(bps / 100)}.${String(bps % 100).padStart(2, '0')}`;
}

export const SALESFORCE_NOTES = `Bookshift export for Salesforce Data Loader
============================================

Files
- accounts.csv: Account Id, OwnerId (18-character ids). Use Data Loader "Update".
- opportunities.csv: open opportunities that move with their account. Use "Update".
- opportunity-splits-delete.csv, opportunity-splits-insert.csv: commission split changes. Run the delete
  file first, then the insert file. Splits are replaced, not edited, because Salesforce recalculates split
  totals on every write and an in-place edit can pass through a state that is not 100%.

Traps of a raw owner update (read before loading)
- Changing Account.OwnerId through the API does NOT move the account's open opportunities, cases or
  contacts the way the "Change Owner" button can; that is why opportunities.csv is a separate file.
- The account team: a new owner may remove account team members unless "Keep Account Team" applies; co-owned
  (account team) accounts are listed in the change-set CSV's conflicts column.
- Opportunity splits: with splits enabled, changing Opportunity.OwnerId moves the owner's 100% revenue split
  to the new owner automatically. Load opportunities.csv BEFORE the split files, or the owner's split is
  changed twice.
- Validation rules and flows run on every updated record; schedule the load outside business hours for large
  books and keep the batch size at 200 or less when triggers are heavy.
- Ids are 18 characters, so Excel's case-insensitive lookups cannot confuse two records.
`;

export function salesforceExport(lines: readonly ExportLine[]): ExportFile[] {
  const accounts = lines.filter((l) => l.object === 'account');
  const opportunities = lines.filter((l) => l.object === 'opportunity');
  const splits = lines.filter((l) => l.object === 'opportunity_split');
  const deletes: Cell[][] = [];
  const inserts: Cell[][] = [];
  const missingSplitIds: string[] = [];
  for (const line of splits) {
    for (const p of line.splitBefore ?? []) {
      if (p.crmSplitId) deletes.push([to18(p.crmSplitId)]);
      else missingSplitIds.push(line.recordName);
    }
    for (const p of line.splitAfter ?? []) {
      if (p.bps === 0) continue;
      inserts.push([
        to18(line.recordId),
        to18(requireCrmUser(p.owner, line, 'Salesforce')),
        bpsToPercent(p.bps),
      ]);
    }
  }
  const notes =
    missingSplitIds.length === 0
      ? SALESFORCE_NOTES
      : `${SALESFORCE_NOTES}\nWARNING: ${missingSplitIds.length} existing split record(s) were imported without their Salesforce Id, so they\nare not in the delete file (opportunities: ${[...new Set(missingSplitIds)].join(', ')}). Delete them by hand first.\n`;
  const ownerRows = (ls: ExportLine[]) =>
    ls.map((l) => [to18(l.recordId), to18(requireCrmUser(l.newOwner, l, 'Salesforce'))]);
  return [
    {
      name: 'salesforce/accounts.csv',
      contentType: 'text/csv',
      body: toCsv(['Id', 'OwnerId'], ownerRows(accounts)),
    },
    {
      name: 'salesforce/opportunities.csv',
      contentType: 'text/csv',
      body: toCsv(['Id', 'OwnerId'], ownerRows(opportunities)),
    },
    {
      name: 'salesforce/opportunity-splits-delete.csv',
      contentType: 'text/csv',
      body: toCsv(['Id'], deletes),
    },
    {
      name: 'salesforce/opportunity-splits-insert.csv',
      contentType: 'text/csv',
      body: toCsv(['OpportunityId', 'SplitOwnerId', 'SplitPercentage'], inserts),
    },
    { name: 'salesforce/README.txt', contentType: 'text/plain', body: notes },
  ];
}

/** HubSpot imports match owners by email; the record is matched by its Record ID. */
export function hubspotExport(lines: readonly ExportLine[]): ExportFile[] {
  const ownerEmail = (l: ExportLine) => {
    if (!l.newOwner.email) {
      throw new Error(
        `HubSpot export: ${l.newOwner.name} (new owner of ${l.recordName}) has no email. Add it to the roster.`,
      );
    }
    return l.newOwner.email;
  };
  const companies = lines.filter((l) => l.object === 'account');
  const deals = lines.filter((l) => l.object === 'opportunity');
  return [
    {
      name: 'hubspot/companies.csv',
      contentType: 'text/csv',
      body: toCsv(
        ['Record ID', 'Company name', 'Company owner'],
        companies.map((l) => [l.recordId, l.recordName, ownerEmail(l)]),
      ),
    },
    {
      name: 'hubspot/deals.csv',
      contentType: 'text/csv',
      body: toCsv(
        ['Record ID', 'Deal name', 'Deal owner'],
        deals.map((l) => [l.recordId, l.recordName, ownerEmail(l)]),
      ),
    },
  ];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Dynamics 365: the record GUID, the owner's systemuser GUID and the owner type. */
export function dynamicsExport(lines: readonly ExportLine[]): ExportFile[] {
  const rows = (object: ExportLine['object'], idColumn: string) => ({
    header: [idColumn, 'ownerid', 'owneridtype'],
    rows: lines
      .filter((l) => l.object === object)
      .map((l) => {
        const owner = requireCrmUser(l.newOwner, l, 'Dynamics');
        for (const [what, id] of [
          ['record', l.recordId],
          ['owner', owner],
        ] as const) {
          if (!GUID.test(id))
            throw new Error(`Dynamics export: the ${what} id "${id}" of ${l.recordName} is not a GUID.`);
        }
        return [l.recordId.toLowerCase(), owner.toLowerCase(), 'systemuser'];
      }),
  });
  const accounts = rows('account', 'accountid');
  const opportunities = rows('opportunity', 'opportunityid');
  return [
    { name: 'dynamics/accounts.csv', contentType: 'text/csv', body: toCsv(accounts.header, accounts.rows) },
    {
      name: 'dynamics/opportunities.csv',
      contentType: 'text/csv',
      body: toCsv(opportunities.header, opportunities.rows),
    },
  ];
}
