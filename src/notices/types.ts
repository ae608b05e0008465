/** Types shared by notice composition and templates. */

export interface NoticePerson {
  id: string;
  name: string;
  email: string | null;
  managerId?: string | null;
}

export interface NoticeAccountLine {
  accountId: string;
  accountName: string;
  revenueCents: number;
  fromRepId: string | null;
  toRepId: string;
  openDeals: number;
  openDealCents: number;
  nextCloseDate: string | null;
  contacts: string[];
}

export interface NoticeSplitLine {
  opportunityName: string;
  accountName: string;
  /** Participant name → basis points. */
  before: Record<string, number>;
  after: Record<string, number>;
  /**
   * Reps who receive the departing rep's share without receiving the account (a segment's or a manual decision's
   * receiving rep): each is told in their own digest. None when left out.
   */
  receiverRepIds?: string[];
  /** Reps whose share of the split shrinks or ends (a departing rep's, a terminated rep's): each is told. */
  loserRepIds?: string[];
}

/** An opportunity handed to a new owner on its own (an opportunity-level run), with its split before and after. */
export interface NoticeOpportunityLine {
  opportunityId: string;
  opportunityName: string;
  accountName: string;
  /** null: unknown (blank in the CRM export). */
  amountCents: number | null;
  closeDate: string | null;
  fromRepId: string | null;
  toRepId: string;
  /** Participant name → basis points: in force on the commission end date, and from the reassignment date. */
  splitBefore: Record<string, number>;
  splitAfter: Record<string, number>;
}

export interface NoticeInput {
  runId: string;
  runLabel: string;
  reason: string;
  effectiveDate: string;
  appBaseUrl: string;
  people: NoticePerson[];
  accounts: NoticeAccountLine[];
  splits: NoticeSplitLine[];
  /** Opportunities that change owner without their account (opportunity-level runs); none when left out. */
  opportunities?: NoticeOpportunityLine[];
  managers: NoticePerson[];
  finance: NoticePerson[];
  /** 'handoff' for a commit, 'correction' after a rollback. */
  purpose: 'handoff' | 'correction';
}

/** `losing_rep`: the previous owner of opportunities handed over on their own (what leaves them). */
export type NoticeKind =
  | 'receiving_rep'
  | 'losing_rep'
  | 'losing_rep_manager'
  | 'manager_summary'
  | 'finance_summary';

export interface NoticeSection {
  title: string;
  rows: NoticeAccountLine[];
}

export interface OpportunitySection {
  title: string;
  rows: NoticeOpportunityLine[];
}

export interface NoticeDraft {
  kind: NoticeKind;
  recipient: NoticePerson & { email: string };
  subject: string;
  html: string;
  text: string;
  /** One key per run, purpose, kind and recipient: the outbox and the provider both refuse a second send. */
  idempotencyKey: string;
}

export interface DigestModel {
  greeting: string;
  intro: string;
  sections: NoticeSection[];
  opportunitySections: OpportunitySection[];
  splits: NoticeSplitLine[];
  people: Map<string, NoticePerson>;
  link: string;
  /** The words of the link: the run for staff, My book for a rep. */
  linkLabel: string;
  footer: string;
}

/** Recipients without an email are reported, not silently dropped. */
export interface ComposeResult {
  drafts: NoticeDraft[];
  unreachable: { person: NoticePerson; kind: NoticeKind }[];
}

export function nameOf(people: Map<string, NoticePerson>, id: string | null): string {
  if (id === null) return 'nobody';
  return people.get(id)?.name ?? 'an unknown rep';
}
