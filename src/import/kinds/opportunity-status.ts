/**
 * Open, won or lost, from what an export carries: a status column (open / won / lost / closed), a closed
 * flag with an optional won flag (Salesforce IsClosed / IsWon), or else the stage name ("Closed Lost").
 */
import type { OpportunityStatus } from '../records.ts';
import type { RowReader } from '../row-reader.ts';

const OPEN = new Set(['open', 'active', 'in progress']);
const WON = new Set(['won', 'closed won', 'closedwon', 'closed - won', 'closed/won']);
const LOST = new Set(['lost', 'closed lost', 'closedlost', 'closed - lost', 'closed/lost']);
const CLOSED = new Set(['closed']);

const lostStage = (stage: string | null) => stage !== null && /lost/i.test(stage);

export function readOpportunityStatus(r: RowReader, stage: string | null): OpportunityStatus | null {
  const text = r.text('status')?.toLowerCase();
  if (text !== undefined) {
    if (OPEN.has(text)) return 'open';
    if (WON.has(text)) return 'closed_won';
    if (LOST.has(text)) return 'closed_lost';
    if (CLOSED.has(text)) return lostStage(stage) ? 'closed_lost' : 'closed_won';
    r.fail(
      'status',
      `"${r.raw('status')}" is not a status`,
      'Write open, won or lost (closed counts as won).',
    );
    return null;
  }
  if (r.has('is_closed') && r.raw('is_closed').trim() !== '') {
    if (!r.boolean('is_closed', false)) return 'open';
    if (r.has('is_won') && r.raw('is_won').trim() !== '')
      return r.boolean('is_won', true) ? 'closed_won' : 'closed_lost';
    return lostStage(stage) ? 'closed_lost' : 'closed_won';
  }
  if (stage && /^closed/i.test(stage)) return lostStage(stage) ? 'closed_lost' : 'closed_won';
  return 'open';
}

/** Billing-stage (and later, invoicing) opportunities are protected from commission cascades. */
export const isBillingStage = (stage: string) => /billing|invoic/i.test(stage);
