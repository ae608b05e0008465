/**
 * Previews an import without writing: which layout was detected, the mapping, the first records as they
 * will be stored, every row-level error and the summary. Reads the roster and book in a read-only
 * transaction so the checks are the same ones apply will make.
 */
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { ColumnMappingInput } from '../../import/mapping.ts';
import { type ScanReport, scanImport } from '../../import/scan.ts';
import type { ImportSource } from '../../import/source.ts';
import type { ImportKind } from '../../import/types.ts';
import type { OrgContext } from '../auth/context.ts';
import { loadAccountIds, loadOpportunities, loadRoster, loadSavedMappings } from './book-lookups.ts';

export interface PreviewImportInput {
  source: ImportSource;
  kind?: ImportKind;
  mapping?: ColumnMappingInput;
  maxRows: number;
  previewRows?: number;
  onProgress?: (rows: number) => void;
}

export async function previewImport({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: PreviewImportInput;
}): Promise<ScanReport> {
  return withOrg(
    ctx.db,
    orgScope(ctx.principal),
    async (tx) => {
      const roster = await loadRoster(tx);
      const accountIds =
        input.kind === undefined || input.kind === 'opportunities' ? await loadAccountIds(tx) : null;
      const opportunities =
        input.kind === undefined || input.kind === 'splits' || input.kind === 'schedules'
          ? await loadOpportunities(tx)
          : null;
      const scan = await scanImport(input.source, {
        ...(input.kind ? { kind: input.kind } : {}),
        ...(input.mapping ? { mapping: input.mapping } : {}),
        savedMappings: await loadSavedMappings(tx, input.kind),
        maxRows: input.maxRows,
        previewRows: input.previewRows ?? 20,
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
        context: {
          roster: roster.directory,
          ...(accountIds ? { accountExists: (id: string) => accountIds.has(id) } : {}),
          ...(opportunities ? { opportunity: (id: string) => opportunities.get(id) } : {}),
        },
      });
      return scan.report;
    },
    { transaction: { accessMode: 'read only' } },
  );
}
