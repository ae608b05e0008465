/**
 * Rulesets (F2), versioned: saving a ruleset under a name adds a version (never edits one), so a run keeps
 * pointing at the exact rules it used. Input is JSON or YAML, validated by the schema and then against
 * the org's roster and book; errors block saving, warnings are returned with the saved version.
 */
import { sql } from 'drizzle-orm';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';
import { crossValidateRuleset, type FixedLoad, type RosterRep } from '../../rules/cross-validate.ts';
import { parseRulesetText, type RulesetIssue, validateRuleset } from '../../rules/parse-ruleset.ts';
import { type Ruleset, rulesetSchema } from '../../rules/ruleset-schema.ts';
import type { OrgContext } from '../auth/context.ts';

export interface StoredRuleset {
  id: string;
  name: string;
  version: number;
  body: Ruleset;
  note: string | null;
  createdBy: string | null;
  createdAt: string;
}

export interface SavedRuleset extends StoredRuleset {
  warnings: RulesetIssue[];
}

type Row = {
  id: string;
  name: string;
  version: number;
  /** `rulesets.body`: the ruleset as saved (parsed by the schema, its defaults filled), parsed again on read. */
  body: unknown;
  note: string | null;
  created_by: string | null;
  created_at: string;
};

const COLUMNS = sql`id, name, version, body, note, created_by,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`;

const toStored = (r: Row): StoredRuleset => ({
  id: r.id,
  name: r.name,
  version: Number(r.version),
  body: parseJsonColumn(rulesetSchema, r.body, { table: 'rulesets', column: 'body', rowId: r.id }),
  note: r.note,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

function invalid(issues: RulesetIssue[]): AppError {
  return new AppError('VALIDATION_FAILED', 'The ruleset has problems; nothing was saved.', {
    details: issues.map((i) => ({ path: i.path, message: i.message, severity: i.severity })),
  });
}

/** The roster as the cross-checks see it, and what each rep holds on accounts no run may move. */
export async function rosterAndLoad(
  tx: Tx,
): Promise<{ roster: RosterRep[]; load: Map<string, FixedLoad>; accounts: Set<string> }> {
  const reps = await queryRows<{
    id: string;
    crm_user_id: string | null;
    name: string;
    active: boolean;
    may_receive: boolean;
    end_date: string | null;
    region: string | null;
    segment: string | null;
    seniority: number;
    ramp_target_bps: number | null;
    max_accounts: number | null;
    max_revenue_cents: string | null;
  }>(
    tx,
    sql`select id, crm_user_id, name, active, may_receive, end_date::text as end_date, region, segment, seniority,
          ramp_target_bps, max_accounts, max_revenue_cents::text as max_revenue_cents from reps`,
  );
  // Kept with the owner as the book a solve plans with reads it (keepsWithOwner): custom.protected true or the text
  // 'true' (->> gives 'true' for both); any other text an unmapped column of that name holds is neither kept nor
  // an error.
  const fixed = await queryRows<{ owner_rep_id: string; n: number; cents: string }>(
    tx,
    sql`select owner_rep_id, count(*)::int as n, coalesce(sum(annual_revenue_cents), 0)::text as cents from accounts
        where owner_rep_id is not null and (is_house or is_co_owned or custom->>'protected' = 'true')
        group by owner_rep_id`,
  );
  const accounts = await queryRows<{ crm_id: string }>(tx, sql`select crm_id from accounts`);
  const crmOf = new Map(reps.map((r) => [r.id, r.crm_user_id ?? r.id]));
  return {
    roster: reps.map((r) => ({
      crmId: r.crm_user_id ?? r.id,
      name: r.name,
      active: r.active,
      mayReceive: r.may_receive,
      departing: r.end_date !== null,
      region: r.region,
      segment: r.segment,
      seniority: r.seniority,
      rampTargetBps: r.ramp_target_bps,
      maxAccounts: r.max_accounts,
      maxRevenueCents: r.max_revenue_cents === null ? null : Number(r.max_revenue_cents),
    })),
    load: new Map(
      fixed.map((f) => [
        crmOf.get(f.owner_rep_id) ?? f.owner_rep_id,
        { accounts: Number(f.n), revenueCents: Number(f.cents) },
      ]),
    ),
    accounts: new Set(accounts.map((a) => a.crm_id)),
  };
}

export interface SaveRulesetInput {
  /** JSON or YAML text, or an already parsed object. */
  source: string | Record<string, unknown>;
  note?: string | null;
}

/** Validates and saves a new version of the ruleset named in the document (version 1 for a new name). */
export async function saveRuleset({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: SaveRulesetInput;
}): Promise<SavedRuleset> {
  const parsed =
    typeof input.source === 'string' ? parseRulesetText(input.source) : validateRuleset(input.source);
  if (!parsed.ok) throw invalid(parsed.issues);
  const ruleset = parsed.ruleset;
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const { roster, load, accounts } = await rosterAndLoad(tx);
    const issues = crossValidateRuleset(ruleset, roster, load, (id) => accounts.has(id));
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw invalid(issues);
    // Versions of one name are numbered in order; concurrent saves of the same name wait for each other.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`ruleset:${ctx.principal.orgId}:${ruleset.name}`}, 0))`,
    );
    const [row] = await queryRows<Row>(
      tx,
      sql`insert into rulesets (org_id, name, version, body, note, created_by)
          select ${ctx.principal.orgId}::uuid, ${ruleset.name}, coalesce(max(version), 0) + 1, ${JSON.stringify(ruleset)}::jsonb,
                 ${input.note ?? null}, ${ctx.principal.userId ?? null}
          from rulesets where name = ${ruleset.name}
          returning ${COLUMNS}`,
    );
    const saved = toStored(row!);
    await appendAudit(tx, {
      action: 'ruleset.saved',
      entityType: 'ruleset',
      entityId: saved.id,
      actorUserId: ctx.principal.userId ?? null,
      actorApiKeyId: ctx.principal.apiKeyId ?? null,
      requestId: ctx.requestId ?? null,
      after: { name: saved.name, version: saved.version },
    });
    return { ...saved, warnings: issues };
  });
}

/** A new version of an existing ruleset (by id of any of its versions); the document's name must stay. */
export async function reviseRuleset({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { id: string } & SaveRulesetInput;
}): Promise<SavedRuleset> {
  const current = await getRuleset({ ctx, input: { id: input.id } });
  const parsed =
    typeof input.source === 'string' ? parseRulesetText(input.source) : validateRuleset(input.source);
  if (!parsed.ok) throw invalid(parsed.issues);
  if (parsed.ruleset.name !== current.name) {
    throw invalid([
      {
        path: 'name',
        message: `a revision keeps the name "${current.name}"; to start a new ruleset, create it instead`,
        severity: 'error',
      },
    ]);
  }
  return saveRuleset({ ctx, input });
}

export async function getRuleset({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { id: string };
}): Promise<StoredRuleset> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [row] = await queryRows<Row>(tx, sql`select ${COLUMNS} from rulesets where id = ${input.id}::uuid`);
    if (!row) throw notFound('The ruleset');
    return toStored(row);
  });
}

/** The latest version of each ruleset, with how many versions it has. */
export async function listRulesets({ ctx }: { ctx: OrgContext }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await queryRows<Row & { versions: number }>(
      tx,
      sql`select ${COLUMNS}, versions from (
            select *, count(*) over (partition by name)::int as versions,
                   row_number() over (partition by name order by version desc) as latest
            from rulesets) r
          where latest = 1 order by name`,
    );
    return rows.map((r) => ({ ...toStored(r), versions: Number(r.versions) }));
  });
}

/** Every version of every ruleset (a run may use any of them), by name, newest version first. */
export async function listRulesetChoices({ ctx }: { ctx: OrgContext }) {
  return withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    queryRows<{ id: string; name: string; version: number }>(
      tx,
      sql`select id, name, version from rulesets order by name, version desc`,
    ),
  );
}

export async function listRulesetVersions({ ctx, input }: { ctx: OrgContext; input: { id: string } }) {
  const current = await getRuleset({ ctx, input });
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await queryRows<Row>(
      tx,
      sql`select ${COLUMNS} from rulesets where name = ${current.name} order by version desc`,
    );
    return rows.map(toStored);
  });
}
