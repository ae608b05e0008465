/**
 * What another system writes against Bookshift, typed only by the client openapi-typescript generates from the
 * served document (openapi-fetch): import a roster and a book, start a rep departure, solve, review, approve
 * what was reviewed, commit, download the export, roll back. Not a single cast: every answer is used as its
 * generated type says. The test compiles this file (tsc) against types generated from the live document, then
 * runs it (test/api/client-flow.integration.test.ts).
 */
import createClient from 'openapi-fetch';
import type { paths } from '../generated/bookshift-api.ts';

export interface FlowInput {
  baseUrl: string;
  apiKey: string;
  fetch: (request: Request) => Promise<Response>;
  rosterCsv: string;
  accountsCsv: string;
  /** The name of the rep who leaves, as the roster spells it. */
  leaver: string;
}

export interface FlowResult {
  moved: number;
  exportLines: number;
  ownedByLeaverAfterCommit: number;
  ownedByLeaverAfterRollback: number;
  runStatus: string;
  approvedBy: string | null;
  approvedByType: string | null;
}

function present<T>(value: T | undefined | null, what: string, error?: unknown): T {
  if (value === undefined || value === null)
    throw new Error(`${what}: ${JSON.stringify(error ?? 'missing')}`);
  return value;
}

export async function driveFlow(input: FlowInput): Promise<FlowResult> {
  const client = createClient<paths>({
    baseUrl: input.baseUrl,
    fetch: input.fetch,
    headers: { authorization: `Bearer ${input.apiKey}` },
  });
  const csv = { headers: { 'content-type': 'text/csv' }, bodySerializer: (body: unknown) => body };

  // 1. Import the roster, then the book.
  const importCsv = async (kind: 'reps' | 'accounts', text: string) => {
    const imported = await client.POST('/v1/imports', { params: { query: { kind } }, body: text, ...csv });
    return present(imported.data, `import ${kind}`, imported.error);
  };
  await importCsv('reps', input.rosterCsv);
  await importCsv('accounts', input.accountsCsv);

  // 2. A rep departure.
  const reps = await client.GET('/v1/reps', { params: { query: { q: input.leaver } } });
  const leaver = present(present(reps.data, 'reps', reps.error).data[0], `rep ${input.leaver}`);
  const created = await client.POST('/v1/runs', {
    params: { header: { 'idempotency-key': `departure-${leaver.id}` } },
    body: {
      kind: 'rep_departure',
      reason: `${leaver.name} leaves`,
      params: { departingRepIds: [leaver.id] },
    },
  });
  const runId = present(created.data, 'create run', created.error).id;

  // 3. Solve, and wait for the job.
  const solving = await client.POST('/v1/runs/{id}/solve', { params: { path: { id: runId } } });
  present(solving.data, 'solve', solving.error);
  let status = 'queued';
  for (let i = 0; i < 600 && status !== 'solved'; i += 1) {
    const run = await client.GET('/v1/runs/{id}', { params: { path: { id: runId } } });
    status = present(run.data, 'run', run.error).status;
    if (status === 'failed') throw new Error(`the solve failed: ${JSON.stringify(run.data)}`);
    if (status !== 'solved') await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // 4. Review: the summary, and each blocking conflict accepted with a note.
  const summary = await client.GET('/v1/runs/{id}/summary', { params: { path: { id: runId } } });
  const moved = present(summary.data, 'summary', summary.error).moved;
  const conflicts = await client.GET('/v1/runs/{id}/conflicts', { params: { path: { id: runId } } });
  for (const conflict of present(conflicts.data, 'conflicts', conflicts.error).data) {
    if (conflict.severity !== 'blocking' || conflict.resolution) continue;
    const resolved = await client.POST('/v1/runs/{id}/conflicts/{conflictId}/resolve', {
      params: { path: { id: runId, conflictId: conflict.id } },
      body: { resolution: 'accept', note: 'Reviewed by the integration' },
    });
    present(resolved.data, 'resolve', resolved.error);
  }

  // 5. Approve exactly what was reviewed, then commit.
  const reviewed = present(
    (await client.GET('/v1/runs/{id}', { params: { path: { id: runId } } })).data,
    'run',
  );
  const approved = await client.POST('/v1/runs/{id}/approve', {
    params: { path: { id: runId } },
    body: {
      expectedHash: present(reviewed.proposalHash, 'proposal hash'),
      expectedVersion: reviewed.version,
    },
  });
  const approval = present(approved.data, 'approve', approved.error).run;
  const committed = await client.POST('/v1/runs/{id}/commit', {
    params: { path: { id: runId }, header: { 'idempotency-key': `commit-${runId}` } },
  });
  present(committed.data, 'commit', committed.error);
  const afterCommit = await client.GET('/v1/accounts', { params: { query: { owner: leaver.id } } });
  const ownedByLeaverAfterCommit = present(afterCommit.data, 'accounts', afterCommit.error).total;

  // 6. The export file.
  const file = await client.GET('/v1/runs/{id}/exports/{format}', {
    params: { path: { id: runId, format: 'neutral' } },
    parseAs: 'text',
  });
  const exportLines = present(file.data, 'export', file.error)
    .split('\n')
    .filter((line) => line.trim() !== '').length;

  // 7. Roll back.
  const rolledBack = await client.POST('/v1/runs/{id}/rollback', {
    params: { path: { id: runId }, header: { 'idempotency-key': `rollback-${runId}` } },
    body: { reason: 'The integration test undoes its run' },
  });
  present(rolledBack.data, 'rollback', rolledBack.error);
  const afterRollback = await client.GET('/v1/accounts', { params: { query: { owner: leaver.id } } });
  const final = await client.GET('/v1/runs/{id}', { params: { path: { id: runId } } });

  return {
    moved,
    exportLines,
    ownedByLeaverAfterCommit,
    ownedByLeaverAfterRollback: present(afterRollback.data, 'accounts', afterRollback.error).total,
    runStatus: present(final.data, 'run', final.error).status,
    approvedBy: approval.approvedBy,
    approvedByType: approval.approvedByType,
  };
}
