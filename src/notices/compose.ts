/**
 * Handoff notices composed from a change set (MISSION.md F10): one digest per receiving rep, one per departing
 * (or losing) rep's manager, a summary for managers, and one for finance when commission splits change —
 * never one email per account. Pure: the caller loads the lines and writes the drafts to the outbox.
 */
import { renderDigestHtml, renderDigestText } from './templates.tsx';
import {
  type ComposeResult,
  type DigestModel,
  type NoticeAccountLine,
  type NoticeDraft,
  type NoticeInput,
  type NoticeKind,
  type NoticePerson,
  nameOf,
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
    model: Omit<DigestModel, 'people' | 'link' | 'footer'>,
  ) => {
    if (!person.email) {
      unreachable.push({ person, kind });
      return;
    }
    const full: DigestModel = { ...model, people, link, footer };
    drafts.push({
      kind,
      recipient: { ...person, email: person.email },
      subject: correction ? `Correction: ${subject}` : subject,
      html: renderDigestHtml(full),
      text: renderDigestText(full),
      idempotencyKey: `${input.runId}:${input.purpose}:${kind}:${person.id}`,
    });
  };

  const byReceiver = groupBy(input.accounts, (a) => a.toRepId);
  for (const [repId, rows] of sorted(byReceiver)) {
    const rep = people.get(repId);
    if (!rep) continue;
    const n = rows.length;
    add(
      'receiving_rep',
      rep,
      `${n} account${n === 1 ? '' : 's'} ${correction ? 'no longer' : 'now'} assigned to you`,
      {
        greeting: `Hello ${rep.name},`,
        intro: correction
          ? `The reassignment "${input.runLabel}" was rolled back. These accounts return to their previous owners:`
          : `As part of "${input.runLabel}", these accounts are now yours from ${input.effectiveDate}:`,
        sections: [{ title: 'Accounts', rows: sortRows(rows) }],
        splits: [],
      },
    );
  }

  // The manager of each rep who loses accounts hears once, with every account that leaves each of their reps.
  const byLoserManager = groupBy(
    input.accounts.filter((a) => a.fromRepId !== null),
    (a) => people.get(a.fromRepId!)?.managerId ?? '',
  );
  for (const [managerId, rows] of sorted(byLoserManager)) {
    const manager = people.get(managerId);
    if (!manager) continue;
    const sections = [...groupBy(rows, (r) => r.fromRepId!)]
      .sort(([a], [b]) => nameOf(people, a).localeCompare(nameOf(people, b)))
      .map(([repId, repRows]) => ({ title: `Leaving ${nameOf(people, repId)}`, rows: sortRows(repRows) }));
    add(
      'losing_rep_manager',
      manager,
      `Handoff of ${rows.length} account${rows.length === 1 ? '' : 's'} from your team`,
      {
        greeting: `Hello ${manager.name},`,
        intro: correction
          ? `The reassignment "${input.runLabel}" was rolled back; these accounts return to your team:`
          : `As part of "${input.runLabel}", these accounts leave your team's reps:`,
        sections,
        splits: [],
      },
    );
  }

  if (input.accounts.length > 0) {
    for (const manager of input.managers) {
      add(
        'manager_summary',
        manager,
        `Summary: ${input.accounts.length} accounts reassigned (${input.runLabel})`,
        {
          greeting: `Hello ${manager.name},`,
          intro: correction
            ? `"${input.runLabel}" was rolled back. Summary by receiving rep:`
            : `"${input.runLabel}" was committed. Summary by receiving rep:`,
          sections: [...sorted(byReceiver)].map(([repId, rows]) => ({
            title: `To ${nameOf(people, repId)}`,
            rows: sortRows(rows),
          })),
          splits: [],
        },
      );
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

function sorted<T>(map: Map<string, T>): [string, T][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sortRows(rows: NoticeAccountLine[]) {
  return [...rows].sort(
    (a, b) => b.revenueCents - a.revenueCents || a.accountName.localeCompare(b.accountName),
  );
}
