/** One commission queue item's history page. */
import type { QueueItemHistory } from '../../services/commission-queue/history.ts';
import { Crumbs, StatusBadge } from '../shared/components.tsx';
import { kindLabel, when } from '../shared/format.ts';
import { ItemBadge } from './commission-queue-page.tsx';

/** One item's history: what it is now, then its timeline (planned, approved, committed, retries and outcomes). */
export function QueueItemHistoryPage({ history }: { history: QueueItemHistory }) {
  const { item, entries } = history;
  return (
    <>
      <Crumbs
        items={[
          { href: '/', label: 'Runs' },
          { href: '/commissions', label: 'Commission queue' },
          { label: item.opportunityName },
        ]}
      />
      <div class="page-head">
        <div>
          <h1>History of {item.opportunityName}</h1>
          <p class="muted">
            {item.fromRepName ?? 'nobody'} → {item.toRepName ?? 'nobody'} ·{' '}
            <a href={`/opportunities/${item.opportunityId}`}>opportunity and its split history</a>
          </p>
        </div>
      </div>
      <section class="card" aria-labelledby="item-now-title">
        <h2 id="item-now-title">Now</h2>
        <p id="item-status" data-status={item.status}>
          <ItemBadge status={item.status} /> {item.error ?? ''}
        </p>
        <p>
          Run: <a href={`/runs/${item.runId}`}>{kindLabel(item.runKind)}</a>{' '}
          <StatusBadge status={item.runStatus} />
          {item.retryRunId && (
            <>
              {' '}
              · retry run: <a href={`/runs/${item.retryRunId}`}>{kindLabel('opportunity')}</a>{' '}
              <StatusBadge status={item.retryRunStatus ?? 'draft'} />
            </>
          )}
        </p>
      </section>
      <section class="card" aria-labelledby="item-history-title">
        <h2 id="item-history-title">Timeline</h2>
        <ol class="timeline" id="item-history">
          {entries.map((e) => (
            <li data-action={e.action}>
              {when(e.at)}: <strong>{e.label}</strong>
              {e.runId && (
                <>
                  {' '}
                  (<a href={`/runs/${e.runId}`}>{e.runRole === 'retry' ? 'retry run' : 'its run'}</a>)
                </>
              )}
              {e.detail && <> — {e.detail}</>}
              {e.actor && <span class="muted small"> by {e.actor}</span>}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
