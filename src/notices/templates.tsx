/** HTML and plain-text renderings of a digest; HTML is escaped by Hono JSX, text is plain. */
import { type DigestModel, type NoticeAccountLine, type NoticeOpportunityLine, nameOf } from './types.ts';

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.trunc(abs / 100).toLocaleString('en-US');
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

const pct = (bps: number) => `${(bps / 100).toFixed(2)}%`;
const splitText = (s: Record<string, number>) =>
  Object.entries(s)
    .filter(([, bps]) => bps > 0)
    .map(([name, bps]) => `${name} ${pct(bps)}`)
    .join(', ');

function splitOrNone(s: Record<string, number>): string {
  return splitText(s) || 'no split';
}

/** An opportunity's amount, or "amount unknown" when the CRM export left it blank (never $0). */
const amountText = (cents: number | null) => (cents === null ? 'amount unknown' : formatCents(cents));

function oppText(o: NoticeOpportunityLine, m: DigestModel): string {
  const close = o.closeDate ? `, closes ${o.closeDate}` : '';
  return (
    `- ${o.opportunityName} (${o.accountName}): ${amountText(o.amountCents)}${close}; ` +
    `from ${nameOf(m.people, o.fromRepId)} to ${nameOf(m.people, o.toRepId)}; ` +
    `split ${splitOrNone(o.splitBefore)} -> ${splitOrNone(o.splitAfter)}`
  );
}

function dealText(a: NoticeAccountLine): string {
  if (a.openDeals === 0) return 'no open deals';
  const close = a.nextCloseDate ? `, next close ${a.nextCloseDate}` : '';
  return `${a.openDeals} open deal${a.openDeals === 1 ? '' : 's'} (${formatCents(a.openDealCents)}${close})`;
}

const cell = 'padding:4px 8px;border-bottom:1px solid #ddd;text-align:left';

export function renderDigestHtml(m: DigestModel): string {
  const page = (
    <html lang="en">
      <body style="font-family:system-ui,sans-serif;color:#1a1a1a;max-width:720px">
        <p>{m.greeting}</p>
        <p>{m.intro}</p>
        {m.sections.map((s) => accountSection(s, m))}
        {m.opportunitySections.map((s) => opportunitySection(s, m))}
        {m.splits.length > 0 && splitsTable(m.splits)}
        <p>
          <a href={m.link}>{m.linkLabel}</a>
        </p>
        <p style="color:#555;font-size:13px">{m.footer}</p>
      </body>
    </html>
  );
  return `<!doctype html>${page.toString()}`;
}

function accountSection(s: DigestModel['sections'][number], m: DigestModel) {
  return (
    <section>
      <h3 style="margin-bottom:4px">{s.title}</h3>
      <table style="border-collapse:collapse;width:100%">
        <thead>
          <tr>
            <th style={cell}>Account</th>
            <th style={cell}>Annual revenue</th>
            <th style={cell}>Previous owner</th>
            <th style={cell}>New owner</th>
            <th style={cell}>Open deals</th>
            <th style={cell}>Contacts</th>
          </tr>
        </thead>
        <tbody>
          {s.rows.map((a) => (
            <tr>
              <td style={cell}>{a.accountName}</td>
              <td style={cell}>{formatCents(a.revenueCents)}</td>
              <td style={cell}>{nameOf(m.people, a.fromRepId)}</td>
              <td style={cell}>{nameOf(m.people, a.toRepId)}</td>
              <td style={cell}>{dealText(a)}</td>
              <td style={cell}>{a.contacts.join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function opportunitySection(s: DigestModel['opportunitySections'][number], m: DigestModel) {
  return (
    <section>
      <h3 style="margin-bottom:4px">{s.title}</h3>
      <table style="border-collapse:collapse;width:100%">
        <thead>
          <tr>
            <th style={cell}>Opportunity</th>
            <th style={cell}>Account</th>
            <th style={cell}>Amount</th>
            <th style={cell}>Close date</th>
            <th style={cell}>Previous owner</th>
            <th style={cell}>New owner</th>
            <th style={cell}>Split before</th>
            <th style={cell}>Split after</th>
          </tr>
        </thead>
        <tbody>
          {s.rows.map((o) => (
            <tr>
              <td style={cell}>{o.opportunityName}</td>
              <td style={cell}>{o.accountName}</td>
              <td style={cell}>{amountText(o.amountCents)}</td>
              <td style={cell}>{o.closeDate ?? '—'}</td>
              <td style={cell}>{nameOf(m.people, o.fromRepId)}</td>
              <td style={cell}>{nameOf(m.people, o.toRepId)}</td>
              <td style={cell}>{splitOrNone(o.splitBefore)}</td>
              <td style={cell}>{splitOrNone(o.splitAfter)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function splitsTable(splits: DigestModel['splits']) {
  return (
    <table style="border-collapse:collapse;width:100%">
      <thead>
        <tr>
          <th style={cell}>Opportunity</th>
          <th style={cell}>Account</th>
          <th style={cell}>Before</th>
          <th style={cell}>After</th>
        </tr>
      </thead>
      <tbody>
        {splits.map((s) => (
          <tr>
            <td style={cell}>{s.opportunityName}</td>
            <td style={cell}>{s.accountName}</td>
            <td style={cell}>{splitText(s.before)}</td>
            <td style={cell}>{splitText(s.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function renderDigestText(m: DigestModel): string {
  const lines = [m.greeting, '', m.intro, ''];
  for (const s of m.sections) {
    lines.push(s.title);
    for (const a of s.rows) {
      lines.push(
        `- ${a.accountName}: ${formatCents(a.revenueCents)} a year; from ${nameOf(m.people, a.fromRepId)} to ${nameOf(m.people, a.toRepId)}; ${dealText(a)}` +
          (a.contacts.length > 0 ? `; contacts: ${a.contacts.join(', ')}` : ''),
      );
    }
    lines.push('');
  }
  for (const s of m.opportunitySections) {
    lines.push(s.title);
    for (const o of s.rows) lines.push(oppText(o, m));
    lines.push('');
  }
  for (const s of m.splits)
    lines.push(`- ${s.opportunityName} (${s.accountName}): ${splitText(s.before)} -> ${splitText(s.after)}`);
  if (m.splits.length > 0) lines.push('');
  lines.push(`${m.linkLabel}: ${m.link}`, '', m.footer);
  return lines.join('\n');
}
