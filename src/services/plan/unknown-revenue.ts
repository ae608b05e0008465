/**
 * What an account with unknown revenue (a blank cell in the book) counts as in a balance, by the ruleset's
 * targets.unknownRevenue: $0 (zero, the default), or the median revenue of the book's accounts whose revenue is
 * known (median). Pure.
 */
import type { Ruleset } from '../../rules/ruleset-schema.ts';
import type { BookAccount } from '../book/load-book.ts';

/** Exact dollars for a sentence: $20,000 or $1,234.50. */
const dollars = (cents: number) =>
  `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: cents % 100 === 0 ? 0 : 2, maximumFractionDigits: 2 })}`;

type Revenue = Pick<BookAccount, 'revenueCents' | 'revenueKnown'>;

/** The median of the known revenues in whole cents (the lower middle of an even count), 0 when none is known. */
export function medianKnownRevenue(accounts: readonly Revenue[]): number {
  const known = accounts
    .filter((a) => a.revenueKnown !== false)
    .map((a) => a.revenueCents)
    .sort((x, y) => x - y);
  return known.length === 0 ? 0 : known[Math.floor((known.length - 1) / 2)]!;
}

/** The revenue each account counts with in this balance. */
export function balanceRevenue(
  accounts: readonly Revenue[],
  rule: Ruleset['targets']['unknownRevenue'],
): (account: Revenue) => number {
  const stand = rule === 'median' ? medianKnownRevenue(accounts) : 0;
  return (a) => (a.revenueKnown === false ? stand : a.revenueCents);
}

/** The rule in words for "rules in force": how many accounts it applies to and what they count as. */
export function unknownRevenueInWords(
  rule: Ruleset['targets']['unknownRevenue'],
  unknownAccounts: number,
  medianKnownCents: number,
): string {
  const what =
    rule === 'median'
      ? `the median known revenue, ${dollars(medianKnownCents)}`
      : '$0 (only their count is balanced)';
  const counted =
    unknownAccounts === 0
      ? 'No account has unknown revenue'
      : `${unknownAccounts} account(s) have no revenue`;
  return `${counted}; unknown revenue counts as ${what} (targets.unknownRevenue: ${rule}).`;
}
