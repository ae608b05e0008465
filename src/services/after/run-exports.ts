/**
 * Downloads of a committed run's change set (F9): the neutral CSV, the CRM files (one file per request for
 * the multi-file formats), the org's custom layout, and the inverse file of a rollback. Every download is
 * recorded in the audit trail.
 */
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import {
  customExport,
  dynamicsExport,
  type ExportFile,
  type ExportLine,
  hubspotExport,
  inverseLines,
  neutralExport,
  salesforceExport,
} from '../../exports/formats.ts';
import { withHouseUser } from '../../exports/house-users.ts';
import { AppError } from '../../lib/errors.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { readCustomLayout } from './custom-layout.ts';
import { readHouseUsers } from './house-users.ts';
import { exportLinesOf, type LoadedChangeSet, loadChangeSet } from './load-change-set.ts';
import { readRollbackResult } from './rollback-record.ts';

export const EXPORT_FORMATS = ['neutral', 'salesforce', 'hubspot', 'dynamics', 'custom', 'inverse'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The files of each multi-file format, by the name `?file=` takes; the first is the default. */
export const EXPORT_FILES = {
  salesforce: {
    accounts: 'salesforce/accounts.csv',
    opportunities: 'salesforce/opportunities.csv',
    'splits-delete': 'salesforce/opportunity-splits-delete.csv',
    'splits-insert': 'salesforce/opportunity-splits-insert.csv',
    readme: 'salesforce/README.txt',
  },
  hubspot: { companies: 'hubspot/companies.csv', deals: 'hubspot/deals.csv', readme: 'hubspot/README.txt' },
  dynamics: {
    accounts: 'dynamics/accounts.csv',
    opportunities: 'dynamics/opportunities.csv',
    readme: 'dynamics/README.txt',
  },
} as const;
export const EXPORT_FILE_NAMES = [
  ...new Set(Object.values(EXPORT_FILES).flatMap((files) => Object.keys(files))),
] as const;

export interface RunExport {
  filename: string;
  contentType: string;
  body: string;
  lines: number;
}

function pick(
  format: keyof typeof EXPORT_FILES,
  files: ExportFile[],
  wanted: string | undefined,
): ExportFile {
  const names: Record<string, string> = EXPORT_FILES[format];
  const key = wanted ?? Object.keys(names)[0]!;
  const path = names[key];
  if (!path) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The ${format} export has no file "${key}". Choose one of: ${Object.keys(names).join(', ')}.`,
      { details: [{ path: 'file', message: `one of ${Object.keys(names).join(', ')}` }] },
    );
  }
  return files.find((f) => f.name === path)!;
}

/** A format's writer refused the data (e.g. a new owner without a CRM user id): 422 with its sentence. */
function build<T>(format: ExportFormat, produce: () => T): T {
  try {
    return produce();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('UNPROCESSABLE', `The ${format} file cannot be written: ${message}`);
  }
}

export async function exportRun({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { runId: string; format: ExportFormat; file?: string | undefined };
}): Promise<RunExport> {
  const { runId, format } = input;
  if (input.file !== undefined && !(format in EXPORT_FILES)) {
    throw new AppError('VALIDATION_FAILED', `The ${format} export is a single file; leave out "file".`, {
      details: [{ path: 'file', message: 'not used by this format' }],
    });
  }
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const loaded = await loadChangeSet(tx, runId);
    const lines = await linesFor(tx, loaded, format);
    const file = await writeFile(tx, ctx.principal.orgId, { format, lines, file: input.file });
    const filename = `bookshift-run-${runId.slice(0, 8)}-${file.name.replaceAll('/', '-')}`;
    await appendAudit(tx, {
      ...auditActor(ctx),
      action: 'export.downloaded',
      entityType: 'run',
      entityId: runId,
      runId,
      after: { format, file: file.name, filename, lines: lines.length },
    });
    return {
      filename,
      contentType: file.contentType === 'text/csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8',
      body: file.body,
      lines: lines.length,
    };
  });
}

/** The export lines of the change set; the inverse lists after a rollback only what was actually undone. */
async function linesFor(tx: Tx, loaded: LoadedChangeSet, format: ExportFormat): Promise<ExportLine[]> {
  if (format === 'inverse') {
    // After a rollback the inverse lists what was actually undone; records changed since stay as they are.
    const rollback = await readRollbackResult(tx, loaded.run.id);
    const only = rollback ? new Set(rollback.restoredItemIds) : undefined;
    return inverseLines(await exportLinesOf(tx, loaded, only ? { onlyItemIds: only } : {}));
  }
  return exportLinesOf(tx, loaded);
}

/** The file of one format (one of its files for a multi-file format), with the org's House users and layout. */
async function writeFile(
  tx: Tx,
  orgId: string,
  { format, lines, file: name }: { format: ExportFormat; lines: ExportLine[]; file: string | undefined },
): Promise<ExportFile> {
  const house = format in EXPORT_FILES ? await readHouseUsers(tx, orgId) : {};
  switch (format) {
    case 'neutral':
      return build(format, () => neutralExport(lines));
    case 'inverse':
      return build(format, () => neutralExport(lines, 'change-set-inverse.csv'));
    case 'custom': {
      const layout = await readCustomLayout(tx, orgId);
      if (!layout) {
        throw new AppError(
          'CONFLICT',
          'Your org has no custom export layout yet. An admin or manager saves one with PUT /v1/exports/layout.',
        );
      }
      return build(format, () => customExport(lines, layout));
    }
    case 'salesforce':
      return pick(
        format,
        build(format, () => salesforceExport(withHouseUser(lines, house.salesforce))),
        name,
      );
    case 'hubspot':
      return pick(
        format,
        build(format, () => hubspotExport(withHouseUser(lines, house.hubspot))),
        name,
      );
    case 'dynamics':
      return pick(
        format,
        build(format, () => dynamicsExport(withHouseUser(lines, house.dynamics))),
        name,
      );
  }
}
