/**
 * Handoff notices composed from a change set (MISSION.md F10): one digest per receiving rep, one per departing
 * (or losing) rep's manager, a summary for managers, and one for finance when commission splits change —
 * never one email per account. Opportunities handed over on their own (opportunity-level runs) join the same
 * digests in their own section, and their previous owner hears what leaves them. Pure: the caller loads the lines and writes the drafts to the outbox.
 */
import { renderDigestHtml, renderDigestText } from './templates.tsx';
import {
  type ComposeResult,
  type DigestModel,
  type NoticeAccountLine,
  type NoticeDraft,
  type NoticeInput,
  type NoticeKind,
  type NoticeOpportunityLine,
  type NoticePerson,
  type NoticeSplitLine,
  nameOf,
  type OpportunitySection,
} from './types.ts';

export type * from './types.ts';

export function composeNotices(input: NoticeInput): ComposeResult {
  const people = new Map(input.people.map((p) => [p.id, p]));
  const drafts: NoticeDraft[] = [];
  const unreachable: ComposeResult['unreachable'] = [];
  const correction = input.purpose === 'correction';
  const link = `${input.appBaseUrl.replace(/\/$/, '')}/runs/${input.runId}`;
  const footer = correction
    ? 'An earlier notice about these accounts was sent in error; the previous owners are restored.'
    : `Reason: ${input.reason}. Effective ${input.effectiveDate}.`;

  const add = (
    kind: NoticeKind,
    person: NoticePerson,
    subject: string,
    model: Omit<DigestModel, 'people' | 'link' | 'footer' | 'opportunitySections'> & {
      opportunitySections?: OpportunitySection[];
    },
  ) => {
    if (!person.email) {
      unreachable.push({ person, kind });
      return;
    }
    const full: DigestModel = { opportunitySections: [], ...model, people, link, footer };
    drafts.push({
      kind,
      recipient: { ...person, email: person.email },
      subject: correction ? `Correction: ${subject}` : subject,
      html: renderDigestHtml(full),
      text: renderDigestText(full),
      idempotencyKey: `${input.runId}:${input.purpose}:${kind}:${person.id}`,
    });
  };

  const opportunities = input.opportunities ?? [];
  const byReceiver = groupBy(input.accounts, (a) => a.toRepId);
  const oppsByReceiver = groupBy(opportunities, (o) => o.toRepId);
  // Commission shares handed to a rep who does not receive the account (a receiving rep per segment or decision).
  const sharesByReceiver = new Map<string, NoticeSplitLine[]>();
  for (const line of input.splits)
    for (const id of new Set(line.receiverRepIds ?? [])) {
      const list = sharesByReceiver.get(id);
      if (list) list.push(line);
      else sharesByReceiver.set(id, [line]);
    }
  // One digest per receiving rep, whether they receive accounts, opportunities, commission shares or all three.
  for (const repId of sortedKeys(byReceiver, oppsByReceiver, sharesByReceiver)) {
    const rep = people.get(repId);
    if (!rep) continue;
    const rows = byReceiver.get(repId) ?? [];
    const opps = oppsByReceiver.get(repId) ?? [];
    const shares = sharesByReceiver.get(repId) ?? [];
    if (rows.length === 0 && opps.length === 0) {
      const n = `${shares.length} opportunit${shares.length === 1 ? 'y' : 'ies'}`;
      add(
        'receiving_rep',
        rep,
        correction ? `Commission share on ${n} no longer yours` : `Commission share on ${n} now yours`,
        {
          greeting: `Hello ${rep.name},`,
          intro: correction
            ? `The reassignment "${input.runLabel}" was rolled back. The commission splits of these opportunities are as they were before:`
            : `As part of "${input.runLabel}", you receive the leaving rep’s commission share on these opportunities from ${input.effectiveDate} (the account stays with its owner):`,
          sections: [],
          splits: shares,
        },
      );
      continue;
    }
    const what =
      rows.length > 0 && opps.length > 0
        ? 'accounts and opportunities'
        : rows.length > 0
          ? 'accounts'
          : 'opportunities';
    add(
      'receiving_rep',
      rep,
      `${countPhrase(rows.length, opps.length)} ${correction ? 'no longer' : 'now'} assigned to you`,
      {
        greeting: `Hello ${rep.name},`,
        intro:
          (correction
            ? `The reassignment "${input.runLabel}" was rolled back. These ${what} return to their previous owners:`
            : `As part of "${input.runLabel}", these ${what} are now yours from ${input.effectiveDate}:`) +
          (shares.length > 0
            ? correction
              ? ' The commission shares listed at the end return as well.'
              : ' You also receive the leaving rep’s commission share on the opportunities listed at the end.'
            : ''),
        sections: rows.length > 0 ? [{ title: 'Accounts', rows: sortRows(rows) }] : [],
        opportunitySections: opps.length > 0 ? [{ title: 'Opportunities', rows: sortOpps(opps) }] : [],
        splits: shares,
      },
    );
  }

  // The previous owner of an opportunity handed over on its own hears what leaves them (their account stays).
  const oppsByLoser = groupBy(
    opportunities.filter((o) => o.fromRepId !== null),
    (o) => o.fromRepId!,
  );
  for (const [repId, opps] of sorted(oppsByLoser)) {
    const rep = people.get(repId);
    if (!rep) continue;
    add(
      'losing_rep',
      rep,
      correction
        ? `${countPhrase(0, opps.length)} returned to you`
        : `${countPhrase(0, opps.length)} handed over to a new owner`,
      {
        greeting: `Hello ${rep.name},`,
        intro: correction
          ? `The reassignment "${input.runLabel}" was rolled back; these opportunities are yours again:`
          : `As part of "${input.runLabel}", these opportunities move to a new owner from ${input.effectiveDate}:`,
        sections: [],
        opportunitySections: [{ title: 'Leaving you', rows: sortOpps(opps) }],
        splits: [],
      },
    );
  }

  // The manager of each rep who loses accounts or opportunities hears once, with everything that leaves each rep.
  const managerOf = (repId: string | null) => (repId ? (people.get(repId)?.managerId ?? '') : '');
  const byLoserManager = groupBy(
    input.accounts.filter((a) => a.fromRepId !== null),
    (a) => managerOf(a.fromRepId),
  );
  const oppsByLoserManager = groupBy(
    opportunities.filter((o) => o.fromRepId !== null),
    (o) => managerOf(o.fromRepId),
  );
  const byRepName = (a: string, b: string) => nameOf(people, a).localeCompare(nameOf(people, b));
  for (const managerId of sortedKeys(byLoserManager, oppsByLoserManager)) {
    const manager = people.get(managerId);
    if (!manager) continue;
    const rows = byLoserManager.get(managerId) ?? [];
    const opps = oppsByLoserManager.get(managerId) ?? [];
    const sections = [...groupBy(rows, (r) => r.fromRepId!)]
      .sort(([a], [b]) => byRepName(a, b))
      .map(([repId, repRows]) => ({ title: `Leaving ${nameOf(people, repId)}`, rows: sortRows(repRows) }));
    const opportunitySections = [...groupBy(opps, (o) => o.fromRepId!)]
      .sort(([a], [b]) => byRepName(a, b))
      .map(([repId, repOpps]) => ({ title: `Leaving ${nameOf(people, repId)}`, rows: sortOpps(repOpps) }));
    const what =
      rows.length > 0 && opps.length > 0
        ? 'accounts and opportunities'
        : rows.length > 0
          ? 'accounts'
          : 'opportunities';
    add('losing_rep_manager', manager, `Handoff of ${countPhrase(rows.length, opps.length)} from your team`, {
      greeting: `Hello ${manager.name},`,
      intro: correction
        ? `The reassignment "${input.runLabel}" was rolled back; these ${what} return to your team:`
        : `As part of "${input.runLabel}", these ${what} leave your team's reps:`,
      sections,
      opportunitySections,
      splits: [],
    });
  }

  if (input.accounts.length > 0 || opportunities.length > 0) {
    const subject =
      opportunities.length === 0
        ? `Summary: ${input.accounts.length} accounts reassigned (${input.runLabel})`
        : `Summary: ${countPhrase(input.accounts.length, opportunities.length)} reassigned (${input.runLabel})`;
    for (const manager of input.managers) {
      add('manager_summary', manager, subject, {
        greeting: `Hello ${manager.name},`,
        intro: correction
          ? `"${input.runLabel}" was rolled back. Summary by receiving rep:`
          : `"${input.runLabel}" was committed. Summary by receiving rep:`,
        sections: [...sorted(byReceiver)].map(([repId, rows]) => ({
          title: `To ${nameOf(people, repId)}`,
          rows: sortRows(rows),
        })),
        opportunitySections: [...sorted(oppsByReceiver)].map(([repId, opps]) => ({
          title: `Opportunities to ${nameOf(people, repId)}`,
          rows: sortOpps(opps),
        })),
        splits: [],
      });
    }
  }

  if (input.splits.length > 0) {
    for (const person of input.finance) {
      add(
        'finance_summary',
        person,
        `Commission splits changed on ${input.splits.length} opportunit${input.splits.length === 1 ? 'y' : 'ies'}`,
        {
          greeting: `Hello ${person.name},`,
          intro: correction
            ? `"${input.runLabel}" was rolled back; the previous commission splits apply again:`
            : `"${input.runLabel}" changes these commission splits from ${input.effectiveDate}:`,
          sections: [],
          splits: input.splits,
        },
      );
    }
  }
  return { drafts, unreachable };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** "2 accounts", "1 opportunity", "1 account and 2 opportunities". */
function countPhrase(accounts: number, opportunities: number): string {
  const a = `${accounts} account${accounts === 1 ? '' : 's'}`;
  const o = `${opportunities} opportunit${opportunities === 1 ? 'y' : 'ies'}`;
  if (opportunities === 0) return a;
  if (accounts === 0) return o;
  return `${a} and ${o}`;
}

/** The keys of the maps, once each, in code-unit order (stable digests). */
function sortedKeys(...maps: Map<string, unknown>[]): string[] {
  return [...new Set(maps.flatMap((m) => [...m.keys()]))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

function sortOpps(rows: NoticeOpportunityLine[]) {
  return [...rows].sort(
    (a, b) => b.amountCents - a.amountCents || a.opportunityName.localeCompare(b.opportunityName),
  );
}

function sorted<T>(map: Map<string, T>): [string, T][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sortRows(rows: NoticeAccountLine[]) {
  return [...rows].sort(
    (a, b) => b.revenueCents - a.revenueCents || a.accountName.localeCompare(b.accountName),
  );
}
