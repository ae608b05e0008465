/**
 * `orgs.settings` parsed once where an org's settings are read: a JSON object of settings kept by key. Each key has
 * its own reader, tolerant of an old value (the time limit in src/lib/solve-time-limit.ts, the custom export layout
 * and the House users in src/services/after).
 */
import { z } from '@hono/zod-openapi';
import type { OrgSettingsColumn } from '../../../db/schema/index.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';

/** The time limit is typed (its writers check it is a number); the other keys are parsed by their readers. */
const orgSettingsColumn = z.looseObject({ solverTimeLimitSeconds: z.number().optional() });

export const parseOrgSettings = (value: unknown, orgId: string): OrgSettingsColumn =>
  parseJsonColumn(orgSettingsColumn, value ?? {}, { table: 'orgs', column: 'settings', rowId: orgId });
