/**
 * The roster: reps, House and subagents with their caps, weights and departure. Managers may be named by
 * id, e-mail or name of a rep in the roster or anywhere in this file, so they are resolved after the pass.
 */
import { damagedIdProblem, OwnerDirectory } from '../owner-directory.ts';
import { REP_TYPES, type RepRecord, type RepType } from '../records.ts';
import type { RowReader } from '../row-reader.ts';
import type { RowError } from '../types.ts';
import type { ImportContext, KindHandler } from './handler.ts';

/** First and last name joined with a space (either may be blank, not both), as a roster names people. */
function fullName(r: RowReader): string | null {
  const parts = [r.text('first_name'), r.text('last_name')].filter((p): p is string => p !== null);
  if (parts.length > 0) return parts.join(' ');
  r.fail(
    'last_name',
    'the name is missing',
    `Fill in ${r.column('first_name')} and ${r.column('last_name')}.`,
  );
  return null;
}

export function repsHandler(): KindHandler<RepRecord> {
  const fileReps = new OwnerDirectory();
  const managerRefs: ManagerRef[] = [];
  const resolved = new Map<string, string>();

  return {
    keyField: 'rep_id',
    key: (record) => record.crmId,
    rawKey: (r) => r.id('rep_id'),
    build: buildRep,
    observe(record, r) {
      fileReps.add({ crmId: record.crmId, email: record.email, name: record.name });
      if (record.managerCrmId)
        managerRefs.push({ row: record.row, column: r.column('manager'), value: record.managerCrmId });
    },
    finish: (context: ImportContext) => resolveManagers(managerRefs, fileReps, context, resolved),
    complete(record) {
      const manager = record.managerCrmId;
      return manager === null ? record : { ...record, managerCrmId: resolved.get(manager) ?? manager };
    },
  };
}

function buildRep(r: RowReader): RepRecord | null {
  const crmId = r.id('rep_id', true);
  const name = r.has('name') ? r.text('name', true) : fullName(r);
  const repType = repTypeOf(r);
  const active = r.boolean('active', true);
  const { departing, endDate } = departureOf(r);
  const record = {
    row: r.row,
    email: r.email('email'),
    repType,
    region: r.text('region'),
    segment: r.text('segment'),
    active,
    // Inactive or departing people never receive accounts, whatever the column says.
    mayReceive: r.boolean('may_receive', true) && active && !departing,
    departing,
    endDate,
    maxAccounts: r.wholeNumber('max_accounts'),
    maxRevenueCents: r.money('max_revenue', { blank: 'null' }),
    seniority: r.wholeNumber('seniority'),
    weight: r.weight('weight'),
    rampTargetBps: r.percent('ramp_target'),
    managerCrmId: r.text('manager'),
  };
  if (r.errors.length > 0 || !crmId || !name) return null;
  return { ...record, crmId, name };
}

/** The rep type (blank means rep); another word is a row error. */
function repTypeOf(r: RowReader): RepType {
  const typeText = (r.text('rep_type') ?? 'rep').toLowerCase();
  if (!(REP_TYPES as readonly string[]).includes(typeText)) {
    r.fail(
      'rep_type',
      `"${r.raw('rep_type')}" is not a rep type`,
      'Write rep, house or subagent (blank means rep).',
    );
  }
  return typeText as RepType;
}

/** Whether the rep is leaving (flagged, or an end date given) and their last day, which a departing rep needs. */
function departureOf(r: RowReader): { departing: boolean; endDate: string | null } {
  const endDate = r.date('end_date');
  const departing = r.boolean('departing', false) || endDate !== null;
  if (departing && endDate === null) {
    r.fail(
      'end_date',
      'a departing rep needs an end date',
      'Fill in end_date (the rep’s last day) for departing reps.',
    );
  }
  return { departing, endDate };
}

/** A manager named in the file, resolved once the whole file has been read. */
interface ManagerRef {
  row: number;
  column: string;
  value: string;
}

/**
 * Each manager named in the file matched to a rep of this file or else of the roster (`resolved` gets the CRM id);
 * one not found, or matching several by name, is a row error.
 */
function resolveManagers(
  refs: readonly ManagerRef[],
  fileReps: OwnerDirectory,
  context: ImportContext,
  resolved: Map<string, string>,
): RowError[] {
  const errors: RowError[] = [];
  for (const ref of refs) {
    const inFile = fileReps.match(ref.value);
    const match = inFile.found ? inFile : (context.roster?.match(ref.value) ?? inFile);
    if (match.found) {
      resolved.set(ref.value, match.crmId);
      continue;
    }
    const damaged = !match.ambiguous && match.damaged ? damagedIdProblem(ref.value, match.damaged) : null;
    if (damaged) {
      errors.push({ row: ref.row, column: ref.column, field: 'manager', value: ref.value, ...damaged });
      continue;
    }
    errors.push({
      row: ref.row,
      column: ref.column,
      field: 'manager',
      value: ref.value,
      reason: match.ambiguous
        ? `manager "${ref.value}" matches several reps by name (${match.candidates.map((c) => c.crmId).join(', ')})`
        : `manager "${ref.value}" is not in this file or the roster`,
      hint: 'Name the manager by CRM user id or e-mail, and include them in the roster.',
    });
  }
  return errors;
}
