/**
 * The outbox pages (F10): every notice with its status in words — pending and why it waits, being sent, sent,
 * failed with the provider's reason, given up after every attempt, cancelled — and one notice's preview: the
 * exact HTML (rendered in a sandboxed frame, and as source) and the exact text that are sent.
 */
import type { NoticeRow, NoticeStatus } from '../../services/after/outbox.ts';
import { CsrfField } from '../layout.tsx';
import { Crumbs, Pager, query } from '../shared/components.tsx';
import { num, when } from '../shared/format.ts';

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;

export interface Delivery {
  /** Whether RESEND_API_KEY is set. */
  configured: boolean;
  emailFrom: string;
  now: Date;
}

/** A failed notice whose last error is the retry budget running out. */
const gaveUp = (n: Pick<NoticeRow, 'status' | 'lastError'>) =>
  n.status === 'failed' && (n.lastError ?? '').startsWith('gave up');

/** The status of a notice as a person reads it, and why. */
export function statusWords(n: NoticeRow, d: Delivery): { label: string; tone: string; why: string } {
  switch (n.status) {
    case 'pending':
      if (!d.configured)
        return { label: 'pending', tone: 'warning', why: 'not sent: no email provider configured' };
      if (n.lastError && n.nextAttemptAt > d.now)
        return {
          label: 'pending',
          tone: 'warning',
          why: `will retry at ${when(n.nextAttemptAt)} (attempt ${n.attempts + 1}); last error: ${n.lastError}`,
        };
      return { label: 'pending', tone: '', why: 'queued: the sender sends it within a minute' };
    case 'sending':
      return { label: 'sending', tone: '', why: `handed to the provider (attempt ${n.attempts})` };
    case 'sent':
      return {
        label: 'sent',
        tone: 'ok',
        why: `sent ${when(n.sentAt)}${n.providerId ? ` · id ${n.providerId}` : ''}`,
      };
    case 'failed':
      return gaveUp(n)
        ? { label: 'given up', tone: 'blocking', why: n.lastError ?? '' }
        : { label: 'failed', tone: 'blocking', why: n.lastError ?? 'no reason recorded' };
    default:
      return { label: 'cancelled', tone: '', why: `cancelled ${when(n.cancelledAt)}: it will not be sent` };
  }
}

function NotConfigured({ pending, emailFrom }: { pending: number; emailFrom: string }) {
  return (
    <div class="alert" id="outbox-not-configured" role="status">
      <strong>Notices are not being sent: no email provider is configured.</strong> {num(pending)} notice(s)
      wait in the outbox. To send them, set <code>RESEND_API_KEY</code> (an API key of your Resend account)
      and <code>EMAIL_FROM</code> (a sender on a domain verified in Resend; now “{emailFrom}”) in the server’s
      environment and restart it: pending notices then go out, each once.
    </div>
  );
}

export function OutboxPage({
  rows,
  counts,
  status,
  page,
  pageSize,
  delivery,
}: {
  rows: NoticeRow[];
  counts: Record<NoticeStatus, number>;
  status: NoticeStatus | undefined;
  page: number;
  pageSize: number;
  delivery: Delivery;
}) {
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const total = status ? counts[status] : all;
  return (
    <>
      <h1>Outbox</h1>
      <p class="muted">
        The notices commits and rollbacks write: one digest per person. Each is sent once, with retries when
        the provider is busy.
      </p>
      {!delivery.configured && counts.pending > 0 && (
        <NotConfigured pending={counts.pending} emailFrom={delivery.emailFrom} />
      )}
      {!delivery.configured && counts.pending === 0 && (
        <p class="muted" id="outbox-not-configured">
          No email provider is configured (<code>RESEND_API_KEY</code> and <code>EMAIL_FROM</code>): new
          notices will wait here.
        </p>
      )}
      <StatusFilter counts={counts} status={status} all={all} />
      <section class="card">
        {rows.length === 0 ? (
          <p class="empty">No notices{status ? ` ${status}` : ''}.</p>
        ) : (
          <OutboxTable rows={rows} delivery={delivery} />
        )}
        <Pager
          href={(p) => `/notices${query({ status, page: p })}`}
          page={page}
          pageSize={pageSize}
          total={total}
        />
      </section>
    </>
  );
}

export function NoticePage({
  notice,
  delivery,
  runLabel,
  canAct,
  csrfToken,
}: {
  notice: NoticeRow;
  delivery: Delivery;
  runLabel: string | null;
  canAct: boolean;
  csrfToken: string;
}) {
  return (
    <>
      <Crumbs items={[{ href: '/notices', label: 'Outbox' }, { label: notice.subject }]} />
      <h1 id="notice-title">{notice.subject}</h1>
      {!delivery.configured && notice.status === 'pending' && (
        <NotConfigured pending={1} emailFrom={delivery.emailFrom} />
      )}
      <section class="card">
        <NoticeFacts notice={notice} delivery={delivery} runLabel={runLabel} />
        {canAct && notice.status === 'failed' && (
          <form method="post" action={`/notices/${notice.id}/retry`} id="retry-notice">
            <CsrfField token={csrfToken} />
            <button type="submit">Send again</button>
          </form>
        )}
        {canAct && notice.status === 'pending' && (
          <form method="post" action={`/notices/${notice.id}/cancel`} id="cancel-notice">
            <CsrfField token={csrfToken} />
            <button type="submit" class="secondary">
              Cancel this notice
            </button>
          </form>
        )}
      </section>
      <NoticePreview notice={notice} />
    </>
  );
}

/** A link per status with its count; the current one marked. */
function StatusFilter({
  counts,
  status,
  all,
}: {
  counts: Record<NoticeStatus, number>;
  status: NoticeStatus | undefined;
  all: number;
}) {
  return (
    <nav class="filters" aria-label="Filter by status" id="outbox-filters">
      <a href="/notices" aria-current={status ? undefined : 'page'}>
        All ({num(all)})
      </a>
      {OUTBOX_STATUSES.map((s) => (
        <a href={`/notices?status=${s}`} aria-current={s === status ? 'page' : undefined}>
          {s} ({num(counts[s])})
        </a>
      ))}
    </nav>
  );
}

/** Each notice: when it was written, to whom, its subject and its status with the reason. */
function OutboxTable({ rows, delivery }: { rows: NoticeRow[]; delivery: Delivery }) {
  return (
    <div class="table-wrap">
      <table id="outbox-table">
        <thead>
          <tr>
            <th scope="col">Written</th>
            <th scope="col">To</th>
            <th scope="col">Subject</th>
            <th scope="col">Status</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => {
            const s = statusWords(n, delivery);
            return (
              <tr>
                <td>{when(n.createdAt)}</td>
                <td>
                  {n.recipientName ?? n.recipientEmail} <span class="muted small">{n.recipientEmail}</span>
                </td>
                <td>
                  <a href={`/notices/${n.id}`}>{n.subject}</a>
                </td>
                <td>
                  <span class={`badge ${s.tone}`}>{s.label}</span>
                </td>
                <td class="small">{s.why}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** To, from, status, attempts, run and idempotency key of one notice. */
function NoticeFacts({
  notice,
  delivery,
  runLabel,
}: {
  notice: NoticeRow;
  delivery: Delivery;
  runLabel: string | null;
}) {
  const s = statusWords(notice, delivery);
  return (
    <dl class="facts" id="notice-facts">
      <dt>To</dt>
      <dd>
        {notice.recipientName ?? '—'} &lt;{notice.recipientEmail}&gt;
      </dd>
      <dt>From</dt>
      <dd>{delivery.emailFrom}</dd>
      <dt>Status</dt>
      <dd>
        <span class={`badge ${s.tone}`}>{s.label}</span> {s.why}
      </dd>
      <dt>Attempts</dt>
      <dd>{num(notice.attempts)}</dd>
      <dt>Written</dt>
      <dd>{when(notice.createdAt)}</dd>
      <dt>Run</dt>
      <dd>{notice.runId ? <a href={`/runs/${notice.runId}`}>{runLabel ?? 'the run'}</a> : '—'}</dd>
      <dt>Idempotency key</dt>
      <dd>
        <code>{notice.idempotencyKey}</code>
      </dd>
    </dl>
  );
}

/** The exact HTML (in a sandboxed frame and as source) and the exact text that are sent. */
function NoticePreview({ notice }: { notice: NoticeRow }) {
  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">The email as sent</h2>
      <iframe
        class="notice-preview"
        src={`/notices/${notice.id}/preview`}
        sandbox=""
        title={`Preview of “${notice.subject}”`}
      />
      <details>
        <summary>HTML source</summary>
        <pre class="json" id="notice-html">
          {notice.html}
        </pre>
      </details>
      <h3>Plain text</h3>
      <pre class="json notice-text" id="notice-text">
        {notice.text}
      </pre>
    </section>
  );
}
