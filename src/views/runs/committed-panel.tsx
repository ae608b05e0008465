/** What a committed (or rolled back) run shows first: what the commit wrote, the CRM files, the notices. */
import type { ExportOverview } from '../../services/after/export-overview.ts';
import { num, when } from '../shared/format.ts';
import { ExportLinks } from './export-links.tsx';
import type { RunRecord } from './run-page.tsx';

export function CommittedPanel({
  run,
  counts,
  notices,
  exports,
}: {
  run: RunRecord;
  exports: ExportOverview;
  counts: { accounts: number; opportunities: number; splits: number; notices: number } | null;
  notices: { id: string; recipientEmail: string; subject: string; status: string }[];
}) {
  const base = `/runs/${run.id}/exports`;
  return (
    <section class="card" aria-labelledby="committed-title" id="committed">
      <h2 id="committed-title">{run.status === 'rolled_back' ? 'Rolled back' : 'Committed'}</h2>
      <p class="alert success" role="status">
        {run.status === 'rolled_back'
          ? 'This run was committed and then rolled back.'
          : `Committed ${when(run.committedAt)}.`}
        {counts &&
          ` ${num(counts.accounts)} account(s), ${num(counts.opportunities)} opportunity(ies) and ${num(counts.splits)} split change(s); ${num(counts.notices)} notice(s).`}
      </p>
      <h3>Files for the CRM</h3>
      <ExportLinks base={base} overview={exports} />
      <h3>Notices</h3>
      {notices.length === 0 ? (
        <p class="muted">No notice for this run.</p>
      ) : (
        <table id="notices-table">
          <thead>
            <tr>
              <th scope="col">To</th>
              <th scope="col">Subject</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {notices.map((n) => (
              <tr>
                <td>{n.recipientEmail}</td>
                <td>{n.subject}</td>
                <td>
                  <span class="badge">{n.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
