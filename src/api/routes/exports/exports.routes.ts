/** Export downloads of a committed run (F9) and the org's custom export layout. */
import { createRoute, z } from '@hono/zod-openapi';
import { NEUTRAL_FIELDS } from '../../../exports/formats.ts';
import { EXPORT_FILE_NAMES, EXPORT_FORMATS } from '../../../services/after/run-exports.ts';
import { documentedDownloadHeaders } from '../../downloads.ts';
import { commonErrorResponses, conflictResponse, ErrorBodySchema, notFoundResponse } from '../../errors.ts';
import { access } from '../../openapi.ts';

export const EXPORT_READERS = ['manager', 'analyst', 'finance', 'admin'] as const;

export const ExportParams = z.object({
  id: z
    .uuid('The run id is a UUID.')
    .openapi({ param: { name: 'id', in: 'path' }, example: '3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b' }),
  format: z
    .enum(EXPORT_FORMATS, `Choose one of: ${EXPORT_FORMATS.join(', ')}.`)
    .openapi({ param: { name: 'format', in: 'path' }, example: 'salesforce' }),
});

export const ExportQuery = z.object({
  file: z
    .enum(
      EXPORT_FILE_NAMES as unknown as [string, ...string[]],
      `Choose one of: ${EXPORT_FILE_NAMES.join(', ')}.`,
    )
    .optional()
    .openapi({
      param: { name: 'file', in: 'query' },
      description:
        'For the multi-file formats, which file to download (default: the first). salesforce: accounts | opportunities | splits-delete | splits-insert | readme (load in that order; read the readme first). hubspot: companies | deals. dynamics: accounts | opportunities.',
      example: 'accounts',
    }),
});

export const CustomLayoutSchema = z
  .object({
    columns: z
      .array(
        z.object({
          header: z.string().openapi({ example: 'Account Owner Email' }),
          field: z.enum(NEUTRAL_FIELDS).openapi({ example: 'new_owner_email' }),
        }),
      )
      .openapi({ description: 'Your headers, in order, each reading one field of the neutral change set.' }),
  })
  .openapi('CustomExportLayout', {
    example: {
      columns: [
        { header: 'Account', field: 'record_id' },
        { header: 'New Owner', field: 'new_owner_email' },
      ],
    },
  });

const csv = (description: string) => ({
  description,
  headers: documentedDownloadHeaders('bookshift-run-3b9d6c1e-change-set.csv'),
  content: {
    'text/csv': { schema: z.string().openapi({ example: 'batch_id,change_id,object,record_id\r\n…' }) },
    'text/plain': { schema: z.string().openapi({ description: 'The Salesforce readme (file=readme).' }) },
  },
});

export const downloadRunExport = createRoute({
  method: 'get',
  path: '/runs/{id}/exports/{format}',
  operationId: 'downloadRunExport',
  tags: ['Exports'],
  summary: 'Download an export of a committed run',
  description:
    'neutral: the change-set CSV (batch, change, object, record id and name, old/new owner ids and emails, effective date, reason, strategy, conflicts, approval). ' +
    'salesforce: one file per request (?file=accounts|opportunities|splits-delete|splits-insert|readme; 18-character ids). hubspot: ?file=companies|deals (owner by email). ' +
    'dynamics: ?file=accounts|opportunities (GUIDs, owner type). custom: the org’s saved layout. inverse: the file that undoes the run (after a rollback: only what was restored). ' +
    'Every cell is safe against spreadsheet formula injection. Each download is audited.',
  ...access(...EXPORT_READERS),
  request: { params: ExportParams, query: ExportQuery },
  responses: {
    200: csv('The file, as an attachment.'),
    ...notFoundResponse,
    ...conflictResponse,
    422: {
      description:
        'The data cannot be written in this format, e.g. a new owner without a CRM user id (code UNPROCESSABLE).',
      content: { 'application/json': { schema: ErrorBodySchema } },
    },
    ...commonErrorResponses,
  },
});

export const getExportLayout = createRoute({
  method: 'get',
  path: '/exports/layout',
  operationId: 'getExportLayout',
  tags: ['Exports'],
  summary: 'The org’s custom export layout',
  ...access(...EXPORT_READERS),
  responses: {
    200: {
      description: 'The saved layout, or null when none is saved.',
      content: { 'application/json': { schema: z.object({ layout: CustomLayoutSchema.nullable() }) } },
    },
    ...commonErrorResponses,
  },
});

export const putExportLayout = createRoute({
  method: 'put',
  path: '/exports/layout',
  operationId: 'putExportLayout',
  tags: ['Exports'],
  summary: 'Save the org’s custom export layout',
  description:
    'Replaces the layout. Headers must be unique; each field is one of the neutral change-set columns.',
  ...access('admin', 'manager'),
  request: { body: { required: true, content: { 'application/json': { schema: CustomLayoutSchema } } } },
  responses: {
    200: {
      description: 'The saved layout.',
      content: { 'application/json': { schema: z.object({ layout: CustomLayoutSchema }) } },
    },
    ...commonErrorResponses,
  },
});

const houseUserId = (crm: string, example: string) =>
  z
    .string()
    .max(200)
    .nullable()
    .openapi({
      description: `The ${crm} user that holds House's split share and House's records in the ${crm} files; null when none.`,
      example,
    });

export const HouseUsersSchema = z
  .object({
    salesforce: houseUserId('Salesforce', '0055g00000HouseAAB'),
    hubspot: houseUserId('HubSpot', '41234570'),
    dynamics: houseUserId('Dynamics 365', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'),
  })
  .openapi('HouseUsers');

export const HouseUsersInputSchema = HouseUsersSchema.partial().openapi('HouseUsersInput', {
  description:
    'The House user per CRM. Salesforce: a user id (15 or 18 characters, starting 005; stored as 18). HubSpot: an owner id (digits). Dynamics 365: a systemuser GUID (stored lower case). Null or an empty string removes it; a CRM left out has none.',
});

export const getHouseUsersRoute = createRoute({
  method: 'get',
  path: '/exports/house-users',
  operationId: 'getHouseUsers',
  tags: ['Exports'],
  summary: 'The org’s House user per CRM',
  description:
    'Where set, the CRM files give House’s split shares and House’s records to this user; where not, the Salesforce split files leave House’s share as the remainder and the read-me says so.',
  ...access(...EXPORT_READERS),
  responses: {
    200: { description: 'The House users.', content: { 'application/json': { schema: HouseUsersSchema } } },
    ...commonErrorResponses,
  },
});

export const putHouseUsersRoute = createRoute({
  method: 'put',
  path: '/exports/house-users',
  operationId: 'putHouseUsers',
  tags: ['Exports'],
  summary: 'Set the org’s House user per CRM',
  description:
    'Replaces the House users. Each id is checked against its CRM’s user id form; an invalid one is a 400 naming the CRM, and nothing is saved.',
  ...access('admin'),
  request: {
    body: { required: true, content: { 'application/json': { schema: HouseUsersInputSchema } } },
  },
  responses: {
    200: {
      description: 'The saved House users.',
      content: { 'application/json': { schema: HouseUsersSchema } },
    },
    ...commonErrorResponses,
  },
});
