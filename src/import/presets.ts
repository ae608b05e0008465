/**
 * Column presets of real CRM exports, auto-detected from the header row: Salesforce (report and Data Loader),
 * HubSpot, Dynamics and the generic layout. Each lists, per field, the headers it may appear under, in order
 * of preference (an id column beats an e-mail column beats a name column for owners).
 */
import { FIELDS, missingRequired } from './fields.ts';
import { type ColumnMapping, type MappingOptions, mappingOptionsSchema, normaliseHeader } from './mapping.ts';
import type { ImportKind } from './types.ts';

export interface Preset {
  id: string;
  label: string;
  kind: ImportKind;
  /** field → candidate headers, most preferred first. */
  columns: Record<string, readonly string[]>;
  /** Headers that only this layout has; they settle ties between presets. */
  markers: readonly string[];
  options: Partial<MappingOptions>;
}

const genericColumns = (kind: ImportKind) =>
  Object.fromEntries(FIELDS[kind].map((d) => [d.key, [d.key]])) as Record<string, readonly string[]>;

export const PRESETS: readonly Preset[] = [
  {
    id: 'salesforce-account-report',
    label: 'Salesforce account report',
    kind: 'accounts',
    columns: {
      account_id: ['Account ID', 'Account ID (18)', 'Account 18 Digit ID'],
      account_name: ['Account Name'],
      owner_id: ['Account Owner ID', 'Owner ID', 'Account Owner Email', 'Owner Email', 'Account Owner'],
      annual_revenue: ['Annual Revenue'],
      region: ['Sales Region', 'Region', 'Territory'],
      state: ['Billing State/Province', 'Billing State/Province (text only)', 'Billing State'],
      country: ['Billing Country', 'Billing Country (text only)'],
      tier: ['Tier', 'Account Tier', 'Rating'],
      type: ['Type', 'Account Type'],
      industry: ['Industry'],
      next_close_date: ['Next Close Date'],
    },
    markers: ['Account Owner', 'Billing State/Province', 'Account ID'],
    options: { dateFormat: 'us', regionSource: 'state' },
  },
  {
    id: 'salesforce-account-dataloader',
    label: 'Salesforce Data Loader export (Account)',
    kind: 'accounts',
    columns: {
      account_id: ['Id'],
      account_name: ['Name'],
      owner_id: ['OwnerId', 'Owner.Email', 'Owner.Name'],
      annual_revenue: ['AnnualRevenue'],
      region: ['Region__c', 'Sales_Region__c', 'Territory__c'],
      state: ['BillingState'],
      country: ['BillingCountry'],
      tier: ['Tier__c', 'Rating'],
      type: ['Type'],
      industry: ['Industry'],
    },
    markers: ['Id', 'OwnerId', 'BillingState', 'AnnualRevenue'],
    options: { dateFormat: 'iso', regionSource: 'state' },
  },
  {
    id: 'hubspot-company-export',
    label: 'HubSpot company export',
    kind: 'accounts',
    columns: {
      account_id: ['Record ID', 'Company ID'],
      account_name: ['Company name', 'Name'],
      owner_id: ['Company owner', 'HubSpot Owner', 'Owner'],
      annual_revenue: ['Annual Revenue'],
      region: ['Sales Region', 'Region'],
      state: ['State/Region', 'State'],
      country: ['Country/Region', 'Country'],
      tier: ['Ideal Customer Profile Tier', 'Tier'],
      type: ['Type', 'Company type'],
      industry: ['Industry'],
    },
    markers: ['Record ID', 'Company name', 'Company owner', 'Country/Region'],
    options: { dateFormat: 'iso', regionSource: 'state' },
  },
  {
    id: 'dynamics-account-export',
    label: 'Dynamics 365 account export',
    kind: 'accounts',
    columns: {
      account_id: ['(Do Not Modify) Account'],
      account_name: ['Account Name'],
      owner_id: ['Owner'],
      annual_revenue: ['Annual Revenue'],
      region: ['Territory', 'Sales Territory'],
      state: ['Address 1: State/Province'],
      country: ['Address 1: Country/Region', 'Address 1: Country'],
      tier: ['Category', 'Tier'],
      type: ['Relationship Type', 'Account Type'],
      industry: ['Industry'],
    },
    markers: ['(Do Not Modify) Account', '(Do Not Modify) Row Checksum', '(Do Not Modify) Modified On'],
    options: { dateFormat: 'us', regionSource: 'state' },
  },
  {
    id: 'generic-accounts',
    label: 'Generic accounts layout',
    kind: 'accounts',
    columns: genericColumns('accounts'),
    markers: ['account_id', 'owner_id'],
    options: {},
  },
  {
    id: 'salesforce-user-dataloader',
    label: 'Salesforce Data Loader export (User)',
    kind: 'reps',
    columns: {
      rep_id: ['Id'],
      name: ['Name'],
      first_name: ['FirstName'],
      last_name: ['LastName'],
      email: ['Email'],
      active: ['IsActive'],
      region: ['Region__c', 'Sales_Region__c'],
      segment: ['Segment__c'],
      manager: ['ManagerId'],
    },
    markers: ['IsActive', 'ManagerId', 'Email'],
    options: {},
  },
  {
    id: 'salesforce-user-report',
    label: 'Salesforce user report',
    kind: 'reps',
    columns: {
      rep_id: ['User ID', 'User ID (18)'],
      name: ['Full Name', 'Name'],
      first_name: ['First Name'],
      last_name: ['Last Name'],
      email: ['Email'],
      active: ['Active'],
      region: ['Sales Region', 'Region'],
      segment: ['Segment'],
      manager: ['Manager ID', 'Manager'],
    },
    markers: ['User ID', 'Full Name', 'Role', 'Profile', 'Active'],
    options: { dateFormat: 'us' },
  },
  {
    id: 'hubspot-owners-export',
    label: 'HubSpot owners (users) export',
    kind: 'reps',
    columns: {
      rep_id: ['ID', 'Owner ID', 'User ID'],
      name: ['Name', 'Full name'],
      first_name: ['First Name'],
      last_name: ['Last Name'],
      email: ['Email'],
    },
    markers: ['ID', 'First Name', 'Last Name'],
    options: { dateFormat: 'iso' },
  },
  {
    id: 'dynamics-user-export',
    label: 'Dynamics 365 user export',
    kind: 'reps',
    columns: {
      rep_id: ['(Do Not Modify) User'],
      name: ['Full Name'],
      first_name: ['First Name'],
      last_name: ['Last Name'],
      email: ['Primary Email', 'Email'],
      region: ['Territory', 'Sales Territory'],
      manager: ['Manager'],
    },
    markers: ['(Do Not Modify) User', '(Do Not Modify) Row Checksum', 'Primary Email'],
    options: { dateFormat: 'us' },
  },
  {
    id: 'generic-reps',
    label: 'Generic roster layout',
    kind: 'reps',
    columns: genericColumns('reps'),
    markers: ['rep_id'],
    options: {},
  },
  {
    id: 'salesforce-opportunity-report',
    label: 'Salesforce opportunity report',
    kind: 'opportunities',
    columns: {
      opportunity_id: ['Opportunity ID'],
      account_id: ['Account ID'],
      opportunity_name: ['Opportunity Name'],
      stage: ['Stage'],
      amount: ['Amount'],
      close_date: ['Close Date'],
      created_date: ['Created Date'],
      is_closed: ['Closed'],
      is_won: ['Won'],
      owner_id: ['Opportunity Owner ID', 'Opportunity Owner Email', 'Opportunity Owner'],
    },
    markers: ['Opportunity ID', 'Opportunity Owner', 'Stage'],
    options: { dateFormat: 'us' },
  },
  {
    id: 'salesforce-opportunity-dataloader',
    label: 'Salesforce Data Loader export (Opportunity)',
    kind: 'opportunities',
    columns: {
      opportunity_id: ['Id'],
      account_id: ['AccountId'],
      opportunity_name: ['Name'],
      stage: ['StageName'],
      amount: ['Amount'],
      close_date: ['CloseDate'],
      created_date: ['CreatedDate'],
      is_closed: ['IsClosed'],
      is_won: ['IsWon'],
      owner_id: ['OwnerId'],
    },
    markers: ['AccountId', 'StageName', 'CloseDate'],
    options: { dateFormat: 'iso' },
  },
  {
    id: 'generic-opportunities',
    label: 'Generic opportunities layout (splits as columns)',
    kind: 'opportunities',
    columns: genericColumns('opportunities'),
    markers: ['opportunity_id', 'account_id'],
    options: {},
  },
  {
    id: 'generic-splits',
    label: 'Generic splits layout (one row per participant)',
    kind: 'splits',
    columns: genericColumns('splits'),
    markers: ['participant', 'pct'],
    options: {},
  },
  {
    id: 'generic-schedules',
    label: 'Generic revenue schedule layout',
    kind: 'schedules',
    columns: genericColumns('schedules'),
    markers: ['period_start', 'period_end'],
    options: {},
  },
];

/** The mapping a preset gives for this header: each field bound to the first candidate header present. */
export function presetMapping(preset: Preset, header: readonly string[]): ColumnMapping {
  const present = new Map(header.filter(Boolean).map((h) => [normaliseHeader(h), h]));
  const columns: Record<string, string> = {};
  for (const [field, candidates] of Object.entries(preset.columns)) {
    const hit = candidates.map((c) => present.get(normaliseHeader(c))).find((h) => h !== undefined);
    if (hit !== undefined) columns[field] = hit;
  }
  return {
    kind: preset.kind,
    presetId: preset.id,
    columns,
    options: mappingOptionsSchema.parse(preset.options),
  };
}

export interface Detection {
  preset: Preset;
  mapping: ColumnMapping;
  /** Required fields the header lacks; empty when the preset fits fully. */
  missing: string[];
  score: number;
}

/**
 * Ranks the presets of a kind (or of every kind) against a header. The best complete one is the
 * detected layout; incomplete ones still seed the mapping a person completes.
 */
export function detectPresets(header: readonly string[], kind?: ImportKind): Detection[] {
  const present = new Set(header.filter(Boolean).map(normaliseHeader));
  return PRESETS.filter((p) => !kind || p.kind === kind)
    .map((preset) => {
      const mapping = presetMapping(preset, header);
      const missing = missingRequired(preset.kind, (f) => f in mapping.columns);
      const markers = preset.markers.filter((m) => present.has(normaliseHeader(m))).length;
      const score = Object.keys(mapping.columns).length + 2 * markers - 5 * missing.length;
      return { preset, mapping, missing, score };
    })
    .sort((a, b) => b.score - a.score);
}

export function detectPreset(header: readonly string[], kind?: ImportKind): Detection | null {
  const best = detectPresets(header, kind)[0];
  return best && best.missing.length === 0 ? best : null;
}

const loose = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * A starting mapping for an unknown layout: any header that matches (ignoring case, spaces and punctuation)
 * a field key or a header some preset uses for that field. The person checks and completes it once.
 */
export function suggestMapping(header: readonly string[], kind: ImportKind): ColumnMapping {
  const byLoose = new Map(header.filter(Boolean).map((h) => [loose(h), h]));
  const columns: Record<string, string> = {};
  for (const def of FIELDS[kind]) {
    const names = [
      def.key,
      ...PRESETS.filter((p) => p.kind === kind).flatMap((p) => p.columns[def.key] ?? []),
    ];
    const hit = names.map((n) => byLoose.get(loose(n))).find((h) => h !== undefined);
    if (hit !== undefined && !Object.values(columns).includes(hit)) columns[def.key] = hit;
  }
  return { kind, columns, options: mappingOptionsSchema.parse({}) };
}
