/**
 * The way out of a split the commit cannot write, on its conflict card (issue 17): another commission type or share
 * for that one opportunity. The conflict is never accepted; the choice clears it only when the split can then be
 * written (services/review/split-resolution.ts), and the whole conflicts section comes back with what happened.
 */
import { CsrfField } from '../layout.tsx';

/** A share as a person writes it ("20", "12.5", "12,5 %") in basis points, or null when it is not one. */
export function shareBps(text: string): number | null {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*%?\s*$/.exec(text);
  if (!m) return null;
  const bps = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bps >= 1 && bps <= 10_000 ? bps : null;
}

export function SplitWayOut({
  conflictId,
  runId,
  csrfToken,
}: {
  conflictId: string;
  runId: string;
  csrfToken: string;
}) {
  const id = `split-way-out-${conflictId}`;
  const action = `/runs/${runId}/conflicts/${conflictId}/commission`;
  return (
    <form
      class="split-way-out"
      id={id}
      method="post"
      action={action}
      hx-post={action}
      hx-target="#conflicts"
      hx-swap="outerHTML"
    >
      <CsrfField token={csrfToken} />
      <p class="wide">
        <strong>Another commission type or share for this opportunity</strong> — it can then be written, and
        the rest of the run stays as proposed.
      </p>
      <div>
        <label for={`${id}-type`}>Commission type</label>
        <select id={`${id}-type`} name="commissionType">
          <option value="direct_transfer">B — the new rep inherits the old rep’s share</option>
          <option value="house_absorbs">A — House absorbs the old rep’s share</option>
          <option value="custom">C — a share you choose for the new rep; House takes the rest</option>
        </select>
      </div>
      <div>
        <label for={`${id}-share`}>New rep’s share in % (type C only)</label>
        <input id={`${id}-share`} name="share" type="text" inputmode="decimal" maxlength={8} />
      </div>
      <div class="wide">
        <label for={`${id}-note`}>Note — why (required)</label>
        <input id={`${id}-note`} name="note" type="text" maxlength={1000} />
      </div>
      <div class="wide">
        <button type="submit" class="small">
          Use this type for the opportunity
        </button>
      </div>
    </form>
  );
}
