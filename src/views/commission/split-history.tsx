/** A commission split as a table, and its history: every structure in force and every change, side by side. */
import type { RunRef } from '../../services/review/commission-reads.ts';
import { pct, statusLabel } from '../shared/format.ts';
import type { TimelineChange, TimelinePeriod, TimelineShare } from './timeline.ts';

const ROLE_LABEL = { house: 'House', rep: 'Rep', subagent: 'Subagent' } as const;

/** A split as a small table: participant, role, share. */
export function SharesTable({ shares, caption }: { shares: readonly TimelineShare[]; caption?: string }) {
  if (shares.length === 0) return <p class="muted">No split in force.</p>;
  const total = shares.reduce((s, p) => s + p.bps, 0);
  return (
    <table>
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">Participant</th>
          <th scope="col">Role</th>
          <th scope="col" class="num">
            Share
          </th>
        </tr>
      </thead>
      <tbody>
        {shares.map((s) => (
          <tr>
            <td>{s.repName}</td>
            <td>{ROLE_LABEL[s.role]}</td>
            <td class="num">{pct(s.bps)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colspan={2}>
            Total
          </th>
          <td class="num">{pct(total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

const span = (p: TimelinePeriod) => `${p.from} → ${p.to ?? 'now'}`;

function RunLink({ runId, runs }: { runId: string | null; runs: ReadonlyMap<string, RunRef> }) {
  if (!runId) return <span class="muted">imported or entered outside a run</span>;
  const run = runs.get(runId);
  return (
    <span>
      by run <a href={`/runs/${runId}`}>{run ? run.reason : runId}</a>
      {run && <span class="muted"> ({statusLabel(run.status)})</span>}
    </span>
  );
}

/** Every change of the split: the structure before and after, side by side, with the run that made it. */
export function HistoryTimeline({
  periods,
  changes,
  runs,
}: {
  periods: readonly TimelinePeriod[];
  changes: readonly TimelineChange[];
  runs: ReadonlyMap<string, RunRef>;
}) {
  return (
    <section class="card" aria-labelledby="history-title" id="split-history">
      <h2 id="history-title">Commission history</h2>
      {periods.length === 0 ? (
        <p class="muted">This opportunity has never had a commission split.</p>
      ) : (
        <>
          <h3>Structures in force</h3>
          <ol class="timeline" id="split-periods">
            {periods.map((p) => (
              <li>
                <strong>{span(p)}</strong>: {p.shares.map((s) => `${s.repName} ${pct(s.bps)}`).join(' · ')} —{' '}
                <RunLink runId={p.runId} runs={runs} />
              </li>
            ))}
          </ol>
          <h3>Changes</h3>
          {changes.length === 0 ? (
            <p class="muted">The original structure has not changed.</p>
          ) : (
            <ol class="timeline" id="split-changes">
              {changes.map((c, i) => (
                <li class="split-change" id={`split-change-${i + 1}`}>
                  <p>
                    <strong>From {c.on}</strong> <RunLink runId={c.runId} runs={runs} />
                  </p>
                  <div class="side-by-side">
                    <div>
                      <h4 class="small">Before ({span(c.before)})</h4>
                      <SharesTable shares={c.before.shares} />
                    </div>
                    <div>
                      <h4 class="small">After ({span(c.after)})</h4>
                      <SharesTable shares={c.after.shares} />
                    </div>
                  </div>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
