/**
 * `jobs.payload`: a JSON object whose fields each job kind's handler parses by its own contract. (A job's progress
 * and result are parsed by their readers, by kind: src/services/run-records/run-records.ts for a solve's progress,
 * src/services/solve/pool-jobs.ts for a pool job's result, src/services/imports/import-columns.ts for an import job's
 * progress and result.)
 */
import { z } from 'zod';

export const jobPayloadColumn = z.record(z.string(), z.unknown());
