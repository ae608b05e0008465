/**
 * A what-if's answer in names: per variant its status, moves and balance; per rep the book after each variant;
 * per variant the accounts that would move, from whom to whom and why. Any id the solver's words carry is shown
 * as the name it stands for.
 */
import type { whatIfCompare } from '../../services/solve/what-if.ts';
import type { SolveResult } from '../../solver/index.ts';
import { money, moneyShort, num } from '../shared/format.ts';

export type WhatIfAnswer = Awaited<ReturnType<typeof whatIfCompare>>;

const UUID_G = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const MOVES_SHOWN = 200;

const STATUS_WORDS: Record<string, string> = {
  optimal: 'optimal (proven)',
  feasible: 'feasible',
  timeout: 'stopped at the time limit',
  infeasible: 'infeasible',
};

function Variant({
  name,
  result,
  nameOf,
  named,
}: {
  name: string;
  result: SolveResult;
  nameOf: (id: string | null) => string;
  named: (text: string) => string;
}) {
  if (result.status === 'invalid') return null;
  if (result.status === 'infeasible') {
    return (
      <section class="card what-if-variant">
        <h3>{name}: infeasible</h3>
        <ul>
          {result.reasons.map((r) => (
            <li>{named(r.message)}</li>
          ))}
        </ul>
      </section>
    );
  }
  if (result.assignments === null) {
    return (
      <section class="card what-if-variant">
        <h3>{name}: no answer</h3>
        <p>{named(result.reason)}</p>
      </section>
    );
  }
  const moves = result.assignments.filter((a) => a.moved);
  return (
    <section class="card what-if-variant">
      <h3>
        {name}: {num(moves.length)} account(s) move
      </h3>
      {result.status === 'timeout' && <p class="muted">{named(result.reason)}</p>}
      {moves.length > 0 && (
        <details>
          <summary>The accounts that move</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {moves.slice(0, MOVES_SHOWN).map((a) => (
                  <tr>
                    <td>
                      <a href={`/accounts/${a.accountId}`}>{nameOf(a.accountId)}</a>
                    </td>
                    <td>{nameOf(a.fromRepId)}</td>
                    <td>{nameOf(a.toRepId)}</td>
                    <td class="small">{named(a.reason)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {moves.length > MOVES_SHOWN && (
            <p class="muted">
              The first {MOVES_SHOWN} of {num(moves.length)} moves, largest revenue first is not guaranteed:
              start a run to review them all.
            </p>
          )}
        </details>
      )}
    </section>
  );
}

export function WhatIfResult({ answer, limitSeconds }: { answer: WhatIfAnswer; limitSeconds: number }) {
  const names = new Map<string, string>(Object.entries(answer.accountNames));
  for (const r of answer.reps) names.set(r.repId, r.name || r.repId);
  const nameOf = (id: string | null) => (id === null ? 'nobody' : (names.get(id) ?? 'an unknown record'));
  const named = (text: string) => text.replace(UUID_G, (id) => names.get(id) ?? id);
  const seconds = Math.round(answer.timeLimitMs / 100) / 10;
  return (
    <section id="what-if-result" aria-labelledby="what-if-result-title">
      <h2 id="what-if-result-title">What would happen</h2>
      <p class="muted" id="what-if-limit">
        Time limit per variant: {seconds} s (at most {limitSeconds} s, your organisation’s limit). Nothing was
        written.
      </p>
      <VariantsTable variants={answer.variants} />
      <RepBooks answer={answer} nameOf={nameOf} />
      {answer.variants.map((v) => (
        <Variant name={v.name} result={v.result} nameOf={nameOf} named={named} />
      ))}
    </section>
  );
}

/** Per variant its answer, the accounts moving, the objective and the time. */
function VariantsTable({ variants }: { variants: WhatIfAnswer['variants'] }) {
  return (
    <section class="card">
      <div class="table-wrap">
        <table id="what-if-variants">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Answer</th>
              <th scope="col" class="num">
                Accounts moving
              </th>
              <th scope="col" class="num">
                Objective (gap)
              </th>
              <th scope="col" class="num">
                Time
              </th>
            </tr>
          </thead>
          <tbody>
            {variants.map(({ name, result }) => (
              <tr>
                <th scope="row">{name}</th>
                <td>{STATUS_WORDS[result.status] ?? result.status}</td>
                <td class="num">{'moved' in result ? num(result.moved) : '—'}</td>
                <td class="num">
                  {'objective' in result && typeof result.objective === 'number'
                    ? `${result.objective.toFixed(4)}${result.gap === null ? '' : ` (${(result.gap * 100).toFixed(1)}%)`}`
                    : '—'}
                </td>
                <td class="num">{num(Math.round(result.millis))} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Each rep's book before any variant (accounts and revenue), from the first variant that reports it. */
function booksBefore(answer: WhatIfAnswer) {
  const before = new Map<string, { count: number; revenue: number }>();
  for (const v of answer.variants) {
    if (!('reps' in v.result) || !v.result.reps) continue;
    for (const m of v.result.reps)
      if (!before.has(m.repId)) before.set(m.repId, { count: m.countBefore, revenue: m.revenueBeforeCents });
  }
  return before;
}

/** The book of each rep it changes, now and after each variant. */
function RepBooks({ answer, nameOf }: { answer: WhatIfAnswer; nameOf: (id: string | null) => string }) {
  const before = booksBefore(answer);
  // Reps whose book changes in some variant; the others are counted, not listed.
  const changes = answer.reps.filter((r) => {
    const now = before.get(r.repId);
    return r.byVariant.some(
      (b) => b.countAfter !== null && (b.countAfter !== now?.count || b.revenueAfterCents !== now?.revenue),
    );
  });
  const unchanged = answer.reps.length - changes.length;
  return (
    <section class="card">
      <h3>The reps whose book changes (accounts · annual revenue)</h3>
      <div class="table-wrap">
        <table id="what-if-reps">
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col" class="num">
                Now
              </th>
              {answer.variants.map((v) => (
                <th scope="col" class="num">
                  {v.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {changes.map((r) => {
              const now = before.get(r.repId);
              return (
                <tr>
                  <th scope="row">{r.name || nameOf(r.repId)}</th>
                  <td class="num">{now ? `${num(now.count)} · ${moneyShort(now.revenue)}` : '—'}</td>
                  {r.byVariant.map((b) => (
                    <td
                      class="num"
                      title={b.revenueAfterCents === null ? undefined : money(b.revenueAfterCents)}
                    >
                      {b.countAfter === null
                        ? '—'
                        : `${num(b.countAfter)} · ${moneyShort(b.revenueAfterCents)}`}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {unchanged > 0 && (
        <p class="muted" id="what-if-unchanged">
          {num(unchanged)} other rep(s) keep their book in every variant.
        </p>
      )}
    </section>
  );
}
