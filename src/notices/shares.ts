/** Who a split change takes commission from: the reps a digest must tell that their share shrinks or ends. */

interface Participant {
  participantId: string;
  role: string;
  bps: number;
}

/** Rep-role participants with fewer basis points after than before (a share ended counts as 0 after). */
export function shareLosers(before: readonly Participant[], after: readonly Participant[]): string[] {
  const sum = (list: readonly Participant[]) => {
    const by = new Map<string, number>();
    for (const p of list)
      if (p.role === 'rep') by.set(p.participantId, (by.get(p.participantId) ?? 0) + p.bps);
    return by;
  };
  const had = sum(before);
  const has = sum(after);
  return [...had].filter(([id, bps]) => (has.get(id) ?? 0) < bps).map(([id]) => id);
}
