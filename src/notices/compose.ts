/**
 * Handoff notices composed from a change set (F10): one digest per receiving rep, one per departing
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

type DraftModel = Omit<DigestModel, 'people' | 'link' | 'linkLabel' | 'footer' | 'opportunitySections'> & {
  opportunitySections?: OpportunitySection[];
  link?: string;
  linkLabel?: string;
};

/** What each kind of digest is composed with: the input, its people by id, and where a digest goes. */
interface Composer {
  input: NoticeInput;
  people: Map<string, NoticePerson>;
  correction: boolean;
  opportunities: NoticeOpportunityLine[];
  /** Accounts and opportunities by the rep who receives them. */
  byReceiver: Map<string, NoticeAccountLine[]>;
  oppsByReceiver: Map<string, NoticeOpportunityLine[]>;
  add: (kind: NoticeKind, person: NoticePerson, subject: string, model: DraftModel) => void;
}

export function composeNotices(input: NoticeInput): ComposeResult {
  const people = new Map(input.people.map((p) => [p.id, p]));
  const drafts: NoticeDraft[] = [];
  const unreachable: ComposeResult['unreachable'] = [];
  const correction = input.purpose === 'correction';
  const link = `${input.appBaseUrl.replace(/\/$/, '')}/runs/${input.runId}`;
  const footer = correction
    ? 'An earlier notice about these accounts was sent in error; the previous owners are restored.'
    : `Reason: ${input.reason}. Effective ${input.effectiveDate}.`;

  const add: Composer['add'] = (kind, person, subject, model) => {
    if (!person.email) {
      unreachable.push({ person, kind });
      return;
    }
    const full: DigestModel = {
      opportunitySections: [],
      link,
      linkLabel: 'Open the run in Bookshift',
      ...model,
      people,
      footer,
    };
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
  const composer: Composer = { input, people, correction, opportunities, byReceiver, oppsByReceiver, add };
  repDigests(composer);
  loserManagerDigests(composer);
  managerSummaries(composer);
  financeSummaries(composer);
  return { drafts, unreachable };
}

/** One digest per rep, whatever they gain or lose: accounts, opportunities, commission shares. */
function repDigests({ input, people, correction, opportunities, byReceiver, oppsByReceiver, add }: Composer) {
  // A rep reads their own view; the run page is for staff. Managers and finance keep the run's link.
  const repLink = {
    link: `${input.appBaseUrl.replace(/\/$/, '')}/me`,
    linkLabel: 'Open My book in Bookshift',
  };
  const byLoser = groupBy(
    input.accounts.filter((a) => a.fromRepId !== null),
    (a) => a.fromRepId!,
  );
  const oppsByLoser = groupBy(
    opportunities.filter((o) => o.fromRepId !== null),
    (o) => o.fromRepId!,
  );
  // Commission shares handed to a rep who does not receive the account (a receiving rep per segment or decision),
  // and shares a rep loses (their share of a split shrinks or ends).
  const sharesByReceiver = splitsBy(input.splits, (l) => l.receiverRepIds);
  const sharesByLoser = splitsBy(input.splits, (l) => l.loserRepIds);
  for (const repId of sortedKeys(
    byReceiver,
    oppsByReceiver,
    sharesByReceiver,
    byLoser,
    oppsByLoser,
    sharesByLoser,
  )) {
    const rep = people.get(repId);
    if (!rep) continue;
    const change: RepChange = {
      rowsIn: byReceiver.get(repId) ?? [],
      oppsIn: oppsByReceiver.get(repId) ?? [],
      sharesIn: sharesByReceiver.get(repId) ?? [],
      rowsOut: byLoser.get(repId) ?? [],
      oppsOut: oppsByLoser.get(repId) ?? [],
      sharesOut: sharesByLoser.get(repId) ?? [],
    };
    const gains = change.rowsIn.length + change.oppsIn.length + change.sharesIn.length > 0;
    const { subject, intro } = repDigestWords(change, input, correction);
    add(gains ? 'receiving_rep' : 'losing_rep', rep, subject, {
      greeting: `Hello ${rep.name},`,
      intro,
      sections: [
        ...(change.rowsIn.length > 0 ? [{ title: 'Accounts', rows: sortRows(change.rowsIn) }] : []),
        ...(change.rowsOut.length > 0 ? [{ title: 'Leaving you', rows: sortRows(change.rowsOut) }] : []),
      ],
      opportunitySections: [
        ...(change.oppsIn.length > 0 ? [{ title: 'Opportunities', rows: sortOpps(change.oppsIn) }] : []),
        ...(change.oppsOut.length > 0 ? [{ title: 'Leaving you', rows: sortOpps(change.oppsOut) }] : []),
      ],
      splits: [...new Set([...change.sharesIn, ...change.sharesOut])],
      ...repLink,
    });
  }
}

/** The manager of each rep who loses accounts or opportunities hears once, with everything that leaves each rep. */
function loserManagerDigests({ input, people, correction, opportunities, add }: Composer) {
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
}

/** Every manager gets a summary by receiving rep when anything changes hands. */
function managerSummaries({
  input,
  people,
  correction,
  opportunities,
  byReceiver,
  oppsByReceiver,
  add,
}: Composer) {
  if (input.accounts.length === 0 && opportunities.length === 0) return;
  const subject = `Summary: ${countPhrase(input.accounts.length, opportunities.length)} reassigned (${input.runLabel})`;
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

/** Finance hears about every commission split the run changes. */
function financeSummaries({ input, correction, add }: Composer) {
  if (input.splits.length === 0) return;
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

interface RepChange {
  rowsIn: NoticeAccountLine[];
  oppsIn: NoticeOpportunityLine[];
  sharesIn: NoticeSplitLine[];
  rowsOut: NoticeAccountLine[];
  oppsOut: NoticeOpportunityLine[];
  sharesOut: NoticeSplitLine[];
}

const opps = (n: number) => `${n} opportunit${n === 1 ? 'y' : 'ies'}`;

/** The subject and opening of one rep's digest, from what they gain and what they lose. */
function repDigestWords(
  c: RepChange,
  input: NoticeInput,
  correction: boolean,
): { subject: string; intro: string } {
  const label = input.runLabel;
  const date = input.effectiveDate;
  const inCount = c.rowsIn.length + c.oppsIn.length;
  const outCount = c.rowsOut.length + c.oppsOut.length;
  const whatIn = what(c.rowsIn.length, c.oppsIn.length);
  const whatOut = what(c.rowsOut.length, c.oppsOut.length);
  const subjects: string[] = [];
  const intro: string[] = [];
  if (inCount > 0) {
    subjects.push(
      `${countPhrase(c.rowsIn.length, c.oppsIn.length)} ${correction ? 'no longer' : 'now'} assigned to you`,
    );
    intro.push(
      correction
        ? `The reassignment "${label}" was rolled back. These ${whatIn} return to their previous owners:`
        : `As part of "${label}", these ${whatIn} are now yours from ${date}:`,
    );
  } else if (c.sharesIn.length > 0) {
    subjects.push(
      correction
        ? `Commission share on ${opps(c.sharesIn.length)} no longer yours`
        : `Commission share on ${opps(c.sharesIn.length)} now yours`,
    );
    intro.push(
      correction
        ? `The reassignment "${label}" was rolled back. The commission splits of these opportunities are as they were before:`
        : `As part of "${label}", you receive the leaving rep’s commission share on these opportunities from ${date} (the account stays with its owner):`,
    );
  }
  if (inCount > 0 && c.sharesIn.length > 0) {
    intro.push(
      correction
        ? 'The commission shares listed at the end return as well.'
        : 'You also receive the leaving rep’s commission share on the opportunities listed at the end.',
    );
  }
  if (outCount > 0) {
    const phrase = countPhrase(c.rowsOut.length, c.oppsOut.length);
    subjects.push(
      correction
        ? `${phrase} returned to you`
        : `${phrase} handed over${subjects.length > 0 ? '' : ' to a new owner'}`,
    );
    intro.push(
      intro.length > 0
        ? correction
          ? `These ${whatOut} (under "Leaving you") are yours again.`
          : `These ${whatOut} (under "Leaving you") move to a new owner from ${date}.`
        : correction
          ? `The reassignment "${label}" was rolled back; these ${whatOut} are yours again:`
          : `As part of "${label}", these ${whatOut} move to a new owner from ${date}:`,
    );
  }
  if (c.sharesOut.length > 0) {
    if (subjects.length === 0) {
      subjects.push(
        correction
          ? `Commission share on ${opps(c.sharesOut.length)} restored`
          : `Commission share on ${opps(c.sharesOut.length)} ends`,
      );
    }
    intro.push(
      intro.length > 0
        ? correction
          ? 'Your commission share on the opportunities listed at the end is restored.'
          : 'Your commission share changes on the opportunities listed at the end.'
        : correction
          ? `The reassignment "${label}" was rolled back; your commission share on these opportunities is restored:`
          : `As part of "${label}", your commission share on these opportunities changes from ${date}:`,
    );
  }
  return { subject: subjects.join('; '), intro: intro.join(' ') };
}

function what(accounts: number, opportunities: number): string {
  if (accounts > 0 && opportunities > 0) return 'accounts and opportunities';
  return accounts > 0 ? 'accounts' : 'opportunities';
}

/** Split lines by each rep a line names (receivers or losers), each line once per rep. */
function splitsBy(
  lines: readonly NoticeSplitLine[],
  ids: (line: NoticeSplitLine) => readonly string[] | undefined,
): Map<string, NoticeSplitLine[]> {
  const map = new Map<string, NoticeSplitLine[]>();
  for (const line of lines)
    for (const id of new Set(ids(line) ?? [])) {
      const list = map.get(id);
      if (list) list.push(line);
      else map.set(id, [line]);
    }
  return map;
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
    // Largest first; an unknown amount (null) after every known one.
    (a, b) =>
      (b.amountCents ?? -1) - (a.amountCents ?? -1) || a.opportunityName.localeCompare(b.opportunityName),
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
