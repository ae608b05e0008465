/**
 * What each import kind supplies to the scanner: how to build a record from a row, its duplicate key,
 * and checks that need the whole file (split totals, managers named later in the file).
 */
import type { OwnerDirectory } from '../owner-directory.ts';
import type { OpportunityTerm } from '../records.ts';
import type { RowReader } from '../row-reader.ts';
import type { RowError } from '../types.ts';

/** What the org's book already holds, for cross-checks. Each part is optional: absent means "not checked". */
export interface ImportContext {
  roster?: OwnerDirectory;
  accountExists?: (crmId: string) => boolean;
  opportunity?: (crmId: string) => OpportunityTerm | undefined;
}

export interface KindHandler<R extends { row: number }> {
  /** The field whose value identifies a record in the file (for duplicate errors). */
  keyField: string;
  build(reader: RowReader, context: ImportContext): R | null;
  key(record: R): string;
  /** The key read from a row that has errors, so a duplicate id is still reported (absent: not checked). */
  rawKey?(reader: RowReader): string | null;
  /** Sees every valid record of the first pass (for whole-file checks). */
  observe?(record: R, reader: RowReader): void;
  /** Errors only the whole file reveals; called once after the first pass. */
  finish?(context: ImportContext): RowError[];
  /** Adjusts a record on the second pass with what the first pass learned. */
  complete?(record: R): R;
}
