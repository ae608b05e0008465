/**
 * The split an opportunity would carry after its owner changes (seed 003): A house absorbs the old rep's share,
 * B the new rep inherits it exactly, C the new rep gets a custom share and House adjusts so the total stays
 * 10000. Subagents are never touched. Returns null with a reason when the change cannot be made.
 */
import type { SplitPart } from '../solving/load-book.ts';

export type CommissionType = 'house_absorbs' | 'direct_transfer' | 'custom';

export function splitAfter(
  before: readonly SplitPart[],
  fromRepId: string | null,
  toRepId: string,
  type: CommissionType,
  customBps: number | null,
  houseRepId: string | null,
): { ok: true; after: SplitPart[] } | { ok: false; reason: string } {
  if (before.length === 0) return { ok: true, after: [{ repId: toRepId, role: 'rep', bps: 10_000 }] };
  const oldShare = before
    .filter((p) => p.role === 'rep' && p.repId === fromRepId)
    .reduce((s, p) => s + p.bps, 0);
  const rest = before.filter((p) => !(p.role === 'rep' && p.repId === fromRepId));
  const add = (parts: SplitPart[], part: SplitPart) => {
    const same = parts.find((p) => p.repId === part.repId && p.role === part.role);
    if (same) same.bps += part.bps;
    else parts.push({ ...part });
  };
  const after = rest.map((p) => ({ ...p }));
  if (type === 'direct_transfer') {
    if (oldShare > 0) add(after, { repId: toRepId, role: 'rep', bps: oldShare });
    return { ok: true, after: after.filter((p) => p.bps > 0) };
  }
  const house = after.find((p) => p.role === 'house')?.repId ?? houseRepId;
  if (!house) return { ok: false, reason: 'the org has no House rep to absorb or adjust the share' };
  if (type === 'house_absorbs') {
    if (oldShare > 0) add(after, { repId: house, role: 'house', bps: oldShare });
    return { ok: true, after: after.filter((p) => p.bps > 0) };
  }
  const custom = customBps ?? oldShare;
  const houseNow = after.filter((p) => p.role === 'house').reduce((s, p) => s + p.bps, 0);
  const houseAfter = houseNow + oldShare - custom;
  if (houseAfter < 0)
    return { ok: false, reason: `a custom share of ${custom / 100}% leaves House below 0%` };
  const out = after.filter((p) => p.role !== 'house');
  if (houseAfter > 0) out.push({ repId: house, role: 'house', bps: houseAfter });
  if (custom > 0) add(out, { repId: toRepId, role: 'rep', bps: custom });
  return { ok: true, after: out };
}
