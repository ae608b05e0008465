/** How the pages print numbers, money (integer cents), shares (basis points), dates and run vocabulary. */

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const usdCompact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});
const count = new Intl.NumberFormat('en-US');

/** Whole dollars from cents: "$1,234,567". */
export function money(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  return usd.format(Math.round(cents / 100));
}

/** Short money for charts and tight cells: "$1.2M". */
export function moneyShort(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  return usdCompact.format(cents / 100);
}

/** A signed money delta: "+$1,200" / "−$300" / "$0". */
export function moneyDelta(cents: number): string {
  if (cents === 0) return '$0';
  return `${cents > 0 ? '+' : '−'}${usd.format(Math.round(Math.abs(cents) / 100))}`;
}

const usdCents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Money to the cent (commission figures are exact cents; whole dollars would hide them): "$1,234.56". */
export function moneyCents(cents: number): string {
  return usdCents.format(cents / 100);
}

/** A signed money delta to the cent: "+$12.50" / "−$3.00" / "$0.00". */
export function moneyCentsDelta(cents: number): string {
  return cents === 0 ? '$0.00' : `${cents > 0 ? '+' : '−'}${usdCents.format(Math.abs(cents) / 100)}`;
}

export function num(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return count.format(n);
}

export function numDelta(n: number): string {
  if (n === 0) return '0';
  return `${n > 0 ? '+' : '−'}${count.format(Math.abs(n))}`;
}

/** Basis points as a percentage: 5500 → "55%", 3333 → "33.33%". */
export function pct(bps: number | null | undefined): string {
  if (bps === null || bps === undefined) return '—';
  const whole = bps / 100;
  return `${Number.isInteger(whole) ? whole : whole.toFixed(2)}%`;
}

/** A timestamp as people read it in a table: "2026-03-31 14:05 UTC". */
export function when(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const RUN_KIND_LABELS: Record<string, string> = {
  rep_departure: 'Rep departure',
  realignment: 'Realignment',
  new_hire: 'New-hire starter book',
  account: 'Single account',
  opportunity: 'Single opportunity',
};

export const RUN_STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  solving: 'Solving',
  solved: 'Solved',
  in_review: 'In review',
  approved: 'Approved',
  committing: 'Committing',
  committed: 'Committed',
  rolled_back: 'Rolled back',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

const RUN_SCOPE_LABELS: Record<string, string> = {
  ownership: 'Account ownership only',
  open_opportunities: 'Accounts plus open and future opportunities (before billing)',
  complete: 'Complete (all opportunities, historical where permitted)',
};

/** An opportunity's amount, or "unknown" when the CRM export left it blank (never $0). */
export function amountOrUnknown(cents: number | null): string {
  return cents === null ? 'unknown' : money(cents);
}

/** The words of a run's scope; an opportunity run's one scope is that opportunity alone. */
export function scopeLabel(kind: string, scope: string): string {
  if (kind === 'opportunity' && scope === 'open_opportunities')
    return 'This opportunity alone: its commission split and owner (its account keeps its owner)';
  return RUN_SCOPE_LABELS[scope] ?? scope;
}

export const COMMISSION_TYPE_LABELS: Record<string, string> = {
  house_absorbs: 'Type A — House absorbs the rep’s share',
  direct_transfer: 'Type B — the new rep inherits the exact share',
  custom: 'Type C — a custom share for the new rep, House adjusts',
};

export function kindLabel(kind: string) {
  return RUN_KIND_LABELS[kind] ?? kind;
}

export function statusLabel(status: string) {
  return RUN_STATUS_LABELS[status] ?? status.replaceAll('_', ' ');
}

/** Text of an unknown form value: strings trimmed, anything else (files, arrays, missing) as ''. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** A positive page number from a query string, 1 when absent or bad. */
export function pageNumber(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}
