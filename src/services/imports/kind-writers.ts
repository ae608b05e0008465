/** The writers of each kind of import: records in batches, and what needs the whole file at the end. */
import type { Tx } from '../../db/client.ts';
import { type ColumnMapping, carriedCustomKeys } from '../../import/mapping.ts';
import type {
  AccountRecord,
  OpportunityRecord,
  RepRecord,
  ScheduleRecord,
  SplitRecord,
} from '../../import/records.ts';
import type { ImportKind, RowError } from '../../import/types.ts';
import type { OpportunityLookup, RosterLookup } from './book-lookups.ts';
import { inlineSplitChanges, splitFileChanges } from './split-changes.ts';
import { writeAccounts, writeManagers, writeOpportunities, writeReps, writeSchedules } from './write-book.ts';
import { writeSplits } from './write-splits.ts';

/** How far an import has come, for the pages and the API to poll. */
export interface ImportProgress {
  phase: 'validating' | 'writing';
  rows: number;
  total?: number;
}

export interface WriteContext {
  orgId: string;
  importId: string;
  roster: RosterLookup;
  accountIds: Map<string, string>;
  opportunities: Map<string, OpportunityLookup>;
  today: string;
  batchSize: number;
  onProgress: ((progress: ImportProgress) => void) | undefined;
}

export interface Written {
  inserted: number;
  updated: number;
  errors: RowError[];
}

/** Writes the records of one kind, batch by batch; `end` finishes what needs the whole file. */
export interface KindWriter {
  write(batch: readonly { row: number }[]): Promise<void>;
  end(): Promise<Written>;
}

/** Kinds whose records are final as soon as their row is read, so they can be written during validation. */
export const SINGLE_PASS_KINDS: readonly ImportKind[] = ['accounts', 'opportunities', 'schedules'];

export function kindWriter(
  tx: Tx,
  kind: ImportKind,
  mapping: ColumnMapping,
  header: readonly string[],
  w: WriteContext,
  total?: number,
): KindWriter {
  const mapped = new Set(Object.keys(mapping.columns));
  const out: Written = { inserted: 0, updated: 0, errors: [] };
  let done = 0;
  const progress = (n: number) => {
    done += n;
    w.onProgress?.({ phase: 'writing', rows: done, ...(total === undefined ? {} : { total }) });
  };
  const tally = (inserted: Set<string>, updated: Set<string>) => {
    out.inserted += inserted.size;
    out.updated += updated.size;
  };
  const simple = (write: (batch: readonly { row: number }[]) => Promise<void>): KindWriter => ({
    write: async (batch) => {
      await write(batch);
      progress(batch.length);
    },
    end: async () => out,
  });

  switch (kind) {
    case 'accounts':
      return simple(async (batch) => {
        const result = await writeAccounts(
          tx,
          w.orgId,
          w.importId,
          batch as AccountRecord[],
          w.roster,
          mapped,
          { keys: carriedCustomKeys(header, mapping), regionSource: mapping.options.regionSource },
        );
        tally(result.inserted, result.updated);
      });
    case 'schedules':
      return simple(async (batch) => {
        const result = await writeSchedules(tx, w.orgId, batch as ScheduleRecord[], w.opportunities);
        tally(result.inserted, result.updated);
      });
    case 'opportunities':
      return simple(async (batch) => {
        const opps = batch as OpportunityRecord[];
        const result = await writeOpportunities(
          tx,
          w.orgId,
          w.importId,
          opps,
          w.accountIds,
          w.roster,
          mapped,
        );
        const withSplit = opps.filter((o) => o.split !== null);
        const column = mapping.columns.split_house_pct ?? mapping.columns.split_rep_pct ?? '';
        const changes = await inlineSplitChanges(tx, w, withSplit, column, out.errors);
        const split = await writeSplits(tx, w.orgId, changes, w.today);
        out.errors.push(...split.errors);
        for (const k of [...split.inserted, ...split.updated])
          if (!result.inserted.has(k)) result.updated.add(k);
        tally(result.inserted, result.updated);
      });
    case 'reps':
      return repsWriter(tx, w, mapped, { out, progress, tally });
    case 'splits':
      return splitsWriter(tx, w, mapping, { out, progress, tally });
  }
}

/** What a kind's writer adds to: the tallies of the whole import and the progress it reports. */
interface Tallies {
  out: Written;
  progress: (n: number) => void;
  tally: (inserted: Set<string>, updated: Set<string>) => void;
}

/** Reps in batches; their managers at the end, once every rep of the file exists. */
function repsWriter(
  tx: Tx,
  w: WriteContext,
  mapped: Set<string>,
  { out, progress, tally }: Tallies,
): KindWriter {
  const links: { crmId: string; managerCrmId: string | null }[] = [];
  const inserted = new Set<string>();
  const updated = new Set<string>();
  return {
    write: async (batch) => {
      const reps = batch as RepRecord[];
      const result = await writeReps(tx, w.orgId, reps, mapped);
      for (const k of result.inserted) inserted.add(k);
      for (const k of result.updated) updated.add(k);
      // A manager cell that is present and empty clears the manager; without the column it is kept.
      for (const r of reps)
        if (r.managerCrmId || mapped.has('manager'))
          links.push({ crmId: r.crmId, managerCrmId: r.managerCrmId });
      progress(batch.length);
    },
    end: async () => {
      for (const k of await writeManagers(tx, w.orgId, links)) if (!inserted.has(k)) updated.add(k);
      tally(inserted, updated);
      return out;
    },
  };
}

/** A file of splits: read whole, then written round by round (an opportunity's rows together). */
function splitsWriter(
  tx: Tx,
  w: WriteContext,
  mapping: ColumnMapping,
  { out, progress }: Tallies,
): KindWriter {
  const records: SplitRecord[] = [];
  return {
    write: async (batch) => {
      records.push(...(batch as SplitRecord[]));
    },
    end: async () => {
      for (const round of splitFileChanges(records, w, mapping.columns.pct ?? 'pct', out.errors)) {
        const result = await writeSplits(tx, w.orgId, round, w.today);
        out.errors.push(...result.errors);
        for (const change of round) {
          if (result.inserted.has(change.opportunityCrmId)) out.inserted += change.rows.length;
          else if (result.updated.has(change.opportunityCrmId)) out.updated += change.rows.length;
        }
      }
      progress(records.length);
      return out;
    },
  };
}
