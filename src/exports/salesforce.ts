/**
 * Salesforce Data Loader files of a change set: accounts and opportunities (Id, OwnerId), the split files and a
 * read-me. Ids are written in 18 characters. A change Salesforce cannot take as it is (a record id that is not
 * a Salesforce id, an owner who is not a Salesforce user) is left out and listed in the read-me; the House
 * share of a split is the remainder unless the org set its Salesforce House user (exports/house-users.ts).
 */
import { type Cell, toCsv } from './csv-safe.ts';
import type { ExportFile, ExportLine, ExportOwner, ExportSplitParticipant } from './export-lines.ts';
import { isSalesforceId, to18 } from './salesforce-id.ts';
import { oneLine, type Unexpressed, unexpressed, unexpressedSection } from './unexpressed.ts';

/** Basis points as a Salesforce percentage with two decimals, exactly: 5500 → "55.00". */
export function bpsToPercent(bps: number): string {
  return `${Math.trunc(bps / 100)}.${String(bps % 100).padStart(2, '0')}`;
}

/** The 18-character form of a Salesforce id, or null when it is not one. */
export function salesforceId18(id: string | null | undefined): string | null {
  const text = id?.trim() ?? '';
  return text !== '' && isSalesforceId(text) ? to18(text) : null;
}

const ownerProblem = (owner: ExportOwner, role: string): string =>
  owner.crmUserId
    ? `${role} ${oneLine(owner.name)} (${oneLine(owner.crmUserId)}) is not a Salesforce user: the id is not a Salesforce user id`
    : `${role} ${oneLine(owner.name)} has no Salesforce user id in the roster`;

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
  `${oneLine(p.owner.name)} (${salesforceId18(p.owner.crmUserId) ?? (p.owner.isHouse ? 'House, the remainder' : 'no Salesforce user id')}) ${bpsToPercent(p.bps)}`;

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

function houseNote(
  remainders: readonly { line: ExportLine; bps: number }[],
  houseUserId: string | null,
): string {
  if (houseUserId) {
    return `
House shares: your House user
-----------------------------
House's share of a split is a row of opportunity-splits-insert.csv under the Salesforce user ${houseUserId}, the
House user set in Admin > House users (PUT /v1/exports/house-users). That user must be active and a member of
each opportunity's team.
`;
  }
  if (remainders.length === 0) return '';
  return `
House shares: the remainder
---------------------------
House has no Salesforce user id, so its share of ${remainders.length} split(s) is not a row of
opportunity-splits-insert.csv: it is the remainder (100.00 minus the rows of that opportunity). The Revenue
split type must total 100.00, so load these rows under a split type that need not (add a SplitTypeId
column), or set the Salesforce user id of your House user in Admin > House users (PUT
/v1/exports/house-users) and export again: House is then a split owner like the others.
${remainders.map((r) => `- ${to18(r.line.recordId)} ${oneLine(r.line.recordName)}: House ${bpsToPercent(r.bps)}`).join('\n')}
`;
}

/** What the Salesforce files are made of, gathered line by line. */
interface SalesforceRows {
  skipped: Unexpressed[];
  ownerRows: Record<'account' | 'opportunity', Cell[][]>;
  deletes: Cell[][];
  inserts: Cell[][];
  /** Split lines with a leaving participant whose split record has no Salesforce id. */
  unnamed: ExportLine[];
  /** Shares of participants who are not Salesforce users (House): what the House user's share takes. */
  remainders: { line: ExportLine; bps: number }[];
  missing: number;
  houseUserId: string | null;
}

export function salesforceExport(lines: readonly ExportLine[]): ExportFile[] {
  const rows: SalesforceRows = {
    skipped: [],
    ownerRows: { account: [], opportunity: [] },
    deletes: [],
    inserts: [],
    unnamed: [],
    remainders: [],
    missing: 0,
    houseUserId: null,
  };
  const { skipped, ownerRows, deletes, inserts } = rows;
  for (const line of lines) {
    const recordId = salesforceId18(line.recordId);
    if (!recordId) {
      skipped.push(
        unexpressed(line, `"${line.recordId}" is not a Salesforce record id (15 or 18 letters and digits)`),
      );
      continue;
    }
    if (line.object !== 'opportunity_split') {
      const owner = salesforceId18(line.newOwner.crmUserId);
      if (!owner) skipped.push(unexpressed(line, ownerProblem(line.newOwner, 'the new owner')));
      else ownerRows[line.object].push([recordId, owner]);
      continue;
    }
    addSplitRows(rows, line, recordId);
  }
  const notes =
    SALESFORCE_NOTES +
    houseNote(rows.remainders, rows.houseUserId) +
    (rows.missing === 0 ? '' : missingSplitIdsNote(rows.unnamed, rows.missing)) +
    unexpressedSection('Salesforce', skipped);
  return [
    csvFile('salesforce/accounts.csv', ['Id', 'OwnerId'], ownerRows.account),
    csvFile('salesforce/opportunities.csv', ['Id', 'OwnerId'], ownerRows.opportunity),
    csvFile('salesforce/opportunity-splits-delete.csv', ['Id'], deletes),
    csvFile(
      'salesforce/opportunity-splits-insert.csv',
      ['OpportunityId', 'SplitOwnerId', 'SplitPercentage'],
      inserts,
    ),
    { name: 'salesforce/README.txt', contentType: 'text/plain', body: notes, leftOut: skipped.length },
  ];
}

function csvFile(name: string, header: string[], rows: Cell[][]): ExportFile {
  return { name, contentType: 'text/csv', body: toCsv(header, rows), rows: rows.length };
}

/** A split line: the leaving Salesforce users' split records to delete, and the split after to insert. */
function addSplitRows(rows: SalesforceRows, line: ExportLine, recordId: string) {
  const after = (line.splitAfter ?? []).filter((p) => p.bps > 0);
  const notUsers = after.filter((p) => !salesforceId18(p.owner.crmUserId) && !p.owner.isHouse);
  if (notUsers.length > 0) {
    rows.skipped.push(
      unexpressed(line, notUsers.map((p) => ownerProblem(p.owner, 'split owner')).join('; ')),
    );
    return;
  }
  const staying = new Set(after.map((p) => salesforceId18(p.owner.crmUserId)).filter((id) => id !== null));
  let lineMissing = 0;
  for (const p of line.splitBefore ?? []) {
    const id = salesforceId18(p.owner.crmUserId);
    // Only Salesforce users who leave the split lose their record; the others keep it with a new percentage.
    if (!id || staying.has(id)) continue;
    const splitId = salesforceId18(p.crmSplitId);
    if (splitId) rows.deletes.push([splitId]);
    else lineMissing += 1;
  }
  if (lineMissing > 0) {
    rows.missing += lineMissing;
    rows.unnamed.push(line);
  }
  for (const p of after) {
    const owner = salesforceId18(p.owner.crmUserId);
    if (owner) rows.inserts.push([recordId, owner, bpsToPercent(p.bps)]);
    else rows.remainders.push({ line, bps: p.bps });
    if (owner && p.owner.houseUser) rows.houseUserId = owner;
  }
}
