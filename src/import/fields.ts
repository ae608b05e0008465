/**
 * The target fields of each import kind: what Bookshift stores, its cell type, and whether a file must
 * provide it. Field keys are the generic layout's column names (the same as the solver CLI's).
 */
import type { ImportKind } from './types.ts';

export type FieldType =
  | 'id'
  | 'text'
  | 'money'
  | 'date'
  | 'boolean'
  | 'whole-number'
  | 'percent'
  | 'weight'
  | 'email'
  /** A person: matched to the roster by CRM user id, then e-mail, then exact name. */
  | 'rep-ref'
  | 'account-ref'
  | 'opportunity-ref';

export interface FieldDef {
  key: string;
  type: FieldType;
  required: boolean;
  description: string;
  /** A required field these fields stand in for when all of them are mapped (a name from first + last). */
  orAll?: readonly string[];
}

/** Required fields a set of mapped fields leaves missing (a field is covered by itself or its `orAll`). */
export function missingRequired(kind: ImportKind, mapped: (field: string) => boolean): string[] {
  return FIELDS[kind]
    .filter((d) => d.required && !mapped(d.key) && !d.orAll?.every(mapped))
    .map((d) => d.key);
}

const f = (key: string, type: FieldType, required: boolean, description: string): FieldDef => ({
  key,
  type,
  required,
  description,
});

export const FIELDS: Record<ImportKind, readonly FieldDef[]> = {
  accounts: [
    f('account_id', 'id', true, 'CRM id of the account; re-imports update the account with the same id'),
    f('account_name', 'text', true, 'Account name'),
    f('owner_id', 'rep-ref', true, 'Current owner: CRM user id, e-mail or exact name of a rep in the roster'),
    f(
      'annual_revenue',
      'money',
      false,
      'Annual revenue; blank means unknown (not 0) unless the mapping says blank is an error',
    ),
    f('region', 'text', false, 'Sales region or territory'),
    f('state', 'text', false, 'State or province (can serve as the region, per mapping)'),
    f('country', 'text', false, 'Country (can serve as the region, per mapping)'),
    f('tier', 'text', false, 'Tier or rating'),
    f('type', 'text', false, 'Account type (Customer, Prospect, Partner…)'),
    f('industry', 'text', false, 'Industry'),
    f('protected', 'boolean', false, 'Keep with the current owner (yes/no); blank means no'),
    f(
      'co_owned',
      'boolean',
      false,
      'Co-owned strategic account with an account team (yes/no); blank means no',
    ),
    f('next_close_date', 'date', false, 'Close date of the next open deal, if the export carries it'),
  ],
  reps: [
    f('rep_id', 'id', true, 'CRM user id of the rep (what owner columns refer to)'),
    {
      ...f('name', 'text', true, 'Full name (or map first_name and last_name, joined with a space)'),
      orAll: ['first_name', 'last_name'],
    },
    f('first_name', 'text', false, 'First name, when the export has no full name column'),
    f('last_name', 'text', false, 'Last name, when the export has no full name column'),
    f('email', 'email', false, 'E-mail address (notices go there; owner columns may use it)'),
    f(
      'rep_type',
      'text',
      false,
      'rep (default), house (the company itself) or subagent (an outside partner)',
    ),
    f('region', 'text', false, 'Region the rep covers'),
    f('segment', 'text', false, 'Segment the rep sells to'),
    f('active', 'boolean', false, 'Active user; blank means yes'),
    f(
      'may_receive',
      'boolean',
      false,
      'May receive accounts; blank means yes (unless inactive or departing)',
    ),
    f(
      'departing',
      'boolean',
      false,
      'Leaving (end_date then required); blank means no; an end date alone also marks a departure',
    ),
    f('end_date', 'date', false, 'Last day for a departing rep'),
    f('max_accounts', 'whole-number', false, 'Cap on the number of accounts'),
    f('max_revenue', 'money', false, 'Cap on the total annual revenue of their accounts'),
    f('seniority', 'whole-number', false, 'Seniority level, for seniority-weighted targets'),
    f('weight', 'weight', false, 'Relative weight for weighted targets (1 = normal)'),
    f('ramp_target', 'percent', false, 'New hire ramp: share of a full book, e.g. 50%'),
    f(
      'manager',
      'rep-ref',
      false,
      'Manager: CRM user id, e-mail or exact name of a rep in the roster or this file',
    ),
  ],
  opportunities: [
    f('opportunity_id', 'id', true, 'CRM id of the opportunity'),
    f('account_id', 'account-ref', true, 'CRM id of its account (already imported)'),
    f('opportunity_name', 'text', false, 'Name'),
    f('stage', 'text', true, 'Stage as in the CRM (e.g. Prospecting, Negotiation, Billing, Closed Won)'),
    f('amount', 'money', false, 'Amount; blank means unknown (not $0), warned about by row'),
    f('close_date', 'date', true, 'Expected or actual close date'),
    f(
      'created_date',
      'date',
      true,
      'Date the opportunity was created (commission end dates may not precede it)',
    ),
    f(
      'status',
      'text',
      false,
      'open, won or lost (closed counts as won unless the stage says lost); else IsClosed and the stage',
    ),
    f('is_closed', 'boolean', false, 'Closed flag (Salesforce IsClosed)'),
    f('is_won', 'boolean', false, 'Won flag (Salesforce IsWon), for closed opportunities'),
    f('owner_id', 'rep-ref', false, 'Opportunity owner (a rep in the roster)'),
    f(
      'start_date',
      'date',
      false,
      'Start of the service or billing term (revenue schedules may not start before it)',
    ),
    f(
      'end_date',
      'date',
      false,
      'End of the service or billing term (revenue schedules may not end after it)',
    ),
    f('split_house_pct', 'percent', false, 'Commission split: House share'),
    f('split_rep_id', 'rep-ref', false, 'Commission split: the rep'),
    f('split_rep_pct', 'percent', false, 'Commission split: the rep share'),
    f('split_subagent_id', 'rep-ref', false, 'Commission split: the subagent'),
    f('split_subagent_pct', 'percent', false, 'Commission split: the subagent share'),
  ],
  splits: [
    f('opportunity_id', 'opportunity-ref', true, 'CRM id of the opportunity'),
    f('participant', 'text', true, 'house, rep or subagent'),
    f('rep_id', 'rep-ref', false, 'The rep or subagent (blank for house)'),
    f('pct', 'percent', true, 'Share of the commission'),
    f('effective_date', 'date', false, 'Date the split takes effect; blank means the import date'),
  ],
  schedules: [
    f('opportunity_id', 'opportunity-ref', true, 'CRM id of the opportunity'),
    f('period_start', 'date', true, 'First day of the period'),
    f('period_end', 'date', true, 'Last day of the period'),
    f('amount', 'money', true, 'Revenue recognised in the period'),
  ],
};
