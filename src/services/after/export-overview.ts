/**
 * What each CRM file of a committed run holds, for the run's page: the rows of each CSV and the changes each
 * format's read-me lists as left out. A format whose files cannot be built says why, and the page offers no
 * link to it (a link is offered only for a file that downloads).
 */
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { ExportFile, ExportLine } from '../../exports/export-lines.ts';
import { dynamicsExport, hubspotExport, salesforceExport } from '../../exports/formats.ts';
import { withHouseUser } from '../../exports/house-users.ts';
import type { OrgContext } from '../auth/context.ts';
import { readHouseUsers } from './house-users.ts';
import { exportLinesOf, loadChangeSet } from './load-change-set.ts';
import { EXPORT_FILES } from './run-exports.ts';

type CrmFormat = keyof typeof EXPORT_FILES;

export interface FileOverview {
  rows?: number | undefined;
  leftOut?: number | undefined;
}

export interface ExportOverview {
  /** The change set's lines: the rows of the neutral file. */
  changes: number;
  formats: Record<
    CrmFormat,
    { ok: true; files: Record<string, FileOverview> } | { ok: false; reason: string }
  >;
}

const WRITERS: Record<CrmFormat, (lines: readonly ExportLine[]) => ExportFile[]> = {
  salesforce: salesforceExport,
  hubspot: hubspotExport,
  dynamics: dynamicsExport,
};

export async function exportOverview({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { runId: string };
}): Promise<ExportOverview> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const lines = await exportLinesOf(tx, await loadChangeSet(tx, input.runId));
    const house = await readHouseUsers(tx, ctx.principal.orgId);
    const formats = {} as ExportOverview['formats'];
    for (const format of Object.keys(EXPORT_FILES) as CrmFormat[]) {
      try {
        const built = WRITERS[format](withHouseUser(lines, house[format]));
        const files: Record<string, FileOverview> = {};
        for (const [key, path] of Object.entries(EXPORT_FILES[format])) {
          const file = built.find((f) => f.name === path);
          if (file) files[key] = { rows: file.rows, leftOut: file.leftOut };
        }
        formats[format] = { ok: true, files };
      } catch (error) {
        formats[format] = { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    }
    return { changes: lines.length, formats };
  });
}
