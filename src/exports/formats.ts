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
  /**
   * The Salesforce Id of the existing OpportunitySplit record, needed to delete it. The book import does not carry
   * it today (commission_splits has no CRM id), so the Salesforce note explains how to find the records instead.
   */
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

Files (load in this order)
- accounts.csv: Account Id, OwnerId (18-character ids). Use Data Loader "Update".
- opportunities.csv: open opportunities that move with their account. Use "Update".
- opportunity-splits-insert.csv: the complete new split of every opportunity whose commission split changed
  (OpportunityId, SplitOwnerId, SplitPercentage; the rows of one opportunity total 100.00).
- opportunity-splits-delete.csv: Ids of existing split records to delete, when Bookshift knows them (see below).

Traps of a raw owner update (read before loading)
- Changing Account.OwnerId through the API does NOT move the account's open opportunities, cases or
  contacts the way the "Change Owner" button can; that is why opportunities.csv is a separate file.
- The account team: a new owner may remove account team members unless "Keep Account Team" applies; co-owned
  (account team) accounts are listed in the change-set CSV's conflicts column.
- Opportunity splits: with splits enabled, changing Opportunity.OwnerId moves the owner's split to the new
  owner automatically. Load opportunities.csv BEFORE touching splits, or the owner's split is changed twice.
- Validation rules and flows run on every updated record; schedule the load outside business hours for large
  books and keep the batch size at 200 or less when triggers are heavy.
- Ids are 18 characters, so Excel's case-insensitive lookups cannot confuse two records.

Traps of opportunity splits
- Salesforce keeps one split per opportunity, without dates. Bookshift keeps the dated history (the old split
  is paid up to the commission end date, the new one after it); load the split files on or after the
  effective date in change-set.csv.
- The files leave SplitTypeId blank, so Salesforce uses the default split type (Revenue), which must total
  100.00% on every save ("Can't update splits: percentages don't add up to 100.00%"). Keep all rows of one
  opportunity in the same Data Loader batch. For another split type, add a SplitTypeId column.
- A split owner must be a member of the opportunity team; add missing members (OpportunityTeamMember) first.
- Salesforce refuses to delete the opportunity owner's split ("Can't delete the opportunity owner's split"):
  it follows Opportunity.OwnerId; update its SplitPercentage instead.
- Changing a split so that it totals 100.00% after every step:
  1. Insert the split owners of the insert file that have no split record on that opportunity yet, with
     SplitPercentage 0.
  2. Update SplitPercentage of every split record of those opportunities to its value in the insert file
     (0 for an owner who is not in it), all rows of an opportunity in one batch.
  3. Delete the records left at 0 (the delete file, or the Ids found as described below).
`;

/** A name on one line of a plain-text note (names are free text from the CRM). */
const oneLine = (text: string) => text.replace(/\p{Cc}+/gu, ' ').trim();

/** SOQL queries that list the split records of these opportunities, each short enough for any SOQL limit. */
export function splitLookupQueries(opportunityIds18: readonly string[], perQuery = 150): string[] {
  const unique = [...new Set(opportunityIds18)];
  const queries: string[] = [];
  for (let i = 0; i < unique.length; i += perQuery) {
    const ids = unique
      .slice(i, i + perQuery)
      .map((id) => `'${id}'`)
      .join(', ');
    queries.push(
      `SELECT Id, OpportunityId, SplitOwnerId, SplitPercentage, SplitTypeId FROM OpportunitySplit WHERE OpportunityId IN (${ids})`,
    );
  }
  return queries;
}

const participantText = (p: ExportSplitParticipant) =>
  `${oneLine(p.owner.name)} (${p.owner.crmUserId ? to18(p.owner.crmUserId) : 'no Salesforce user id'}) ${bpsToPercent(p.bps)}`;

/**
 * The part of the note for split records Bookshift cannot name: commission_splits carries no Salesforce
 * OpportunitySplit Id (the book import has no column for it), and Data Loader deletes by Id only. It says so,
 * gives the queries that find the records, and lists each changed split before and after.
 */
function missingSplitIdsNote(lines: readonly ExportLine[], missing: number): string {
  const queries = splitLookupQueries(lines.map((l) => to18(l.recordId)));
  const changes = lines.map(
    (l) =>
      `  ${to18(l.recordId)} ${oneLine(l.recordName)}: ${(l.splitBefore ?? []).map(participantText).join(', ') || 'no split'} -> ${(
        l.splitAfter ?? []
      )
        .filter((p) => p.bps > 0)
        .map(participantText)
        .join(', ')}`,
  );
  return `
Why opportunity-splits-delete.csv has no row for ${missing} existing split record(s)
${'-'.repeat(70)}
Bookshift imports who holds what share of each opportunity, but not the Salesforce Id of each
OpportunitySplit record, and Data Loader deletes by Id only. Bookshift does not guess: find the records in
Salesforce instead.
1. Load accounts.csv and opportunities.csv first.
2. Data Loader > Export, object OpportunitySplit (tick "Show all Salesforce objects"), with ${queries.length === 1 ? 'this query' : `these ${queries.length} queries (one export each)`}:
${queries.map((q) => `   ${q}`).join('\n')}
3. Follow steps 1-3 of "Changing a split" above, comparing the export with opportunity-splits-insert.csv
   by OpportunityId and SplitOwnerId; the Ids of the records left at 0 form the delete file.

The ${lines.length} changed split(s), before -> after (Bookshift's record of what Salesforce should hold):
${changes.join('\n')}
`;
}

export function salesforceExport(lines: readonly ExportLine[]): ExportFile[] {
  const accounts = lines.filter((l) => l.object === 'account');
  const opportunities = lines.filter((l) => l.object === 'opportunity');
  const splits = lines.filter((l) => l.object === 'opportunity_split');
  const deletes: Cell[][] = [];
  const inserts: Cell[][] = [];
  const unnamed: ExportLine[] = [];
  let missing = 0;
  for (const line of splits) {
    const staying = new Set(
      (line.splitAfter ?? [])
        .filter((p) => p.bps > 0)
        .map((p) => requireCrmUser(p.owner, line, 'Salesforce')),
    );
    let lineMissing = 0;
    for (const p of line.splitBefore ?? []) {
      // Only owners who leave the split lose their record; the others keep it with a new percentage.
      if (p.owner.crmUserId && staying.has(p.owner.crmUserId)) continue;
      if (p.crmSplitId) deletes.push([to18(p.crmSplitId)]);
      else lineMissing += 1;
    }
    if (lineMissing > 0) {
      missing += lineMissing;
      unnamed.push(line);
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
  const notes = missing === 0 ? SALESFORCE_NOTES : SALESFORCE_NOTES + missingSplitIdsNote(unnamed, missing);
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
