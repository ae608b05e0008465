/** The comparison of two proposals. */
import type { Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { repNames } from '../../services/book/rep-list.ts';
import { compareRuns } from '../../services/review/compare.ts';
import { comparableRuns } from '../../services/review/run-page-reads.ts';
import { renderPage } from '../layout.tsx';
import { money } from '../shared/format.ts';
import { RunHeader } from './run-page.tsx';
import { loadRun, runsCtx, UUID, viewers } from './run-route-context.ts';

export function compareRoutes(router: Hono<AppBindings>) {
  router.get('/runs/:id/compare', viewers, async (c) => {
    const { run } = await loadRun(c);
    const ctx = runsCtx(c);
    const names = await repNames(ctx);
    const other = c.req.query('with');
    const candidates = await comparableRuns(ctx, run.id);
    const cmp =
      other && UUID.test(other)
        ? await compareRuns({ ctx, input: { leftRunId: run.id, rightRunId: other } })
        : null;
    return renderPage(
      c,
      `Compare · ${run.reason}`,
      <>
        <RunHeader run={run} names={names} current={`/runs/${run.id}/compare`} />
        <section class="card" aria-labelledby="compare-title">
          <h2 id="compare-title">Two proposals side by side</h2>
          <form method="get" action={`/runs/${run.id}/compare`} class="filters">
            <div>
              <label for="compare-with">Compare with</label>
              <select id="compare-with" name="with">
                {candidates.map((r) => (
                  <option value={r.id} selected={r.id === other}>
                    {r.reason} ({r.status})
                  </option>
                ))}
              </select>
            </div>
            <div class="filters-submit">
              <button type="submit" class="secondary">
                Compare
              </button>
            </div>
          </form>
          {candidates.length === 0 && (
            <p class="muted">
              No other solved run to compare with yet. Start another run with a different strategy.
            </p>
          )}
          {cmp && <CompareTable cmp={cmp} />}
        </section>
      </>,
    );
  });
}

function CompareTable({ cmp }: { cmp: Awaited<ReturnType<typeof compareRuns>> }) {
  const metric = (label: string, l: number | null, r: number | null, f: (n: number) => string) => (
    <tr>
      <th scope="row">{label}</th>
      <td class="num">{l === null ? '—' : f(l)}</td>
      <td class="num">{r === null ? '—' : f(r)}</td>
    </tr>
  );
  const pctf = (n: number) => `${(n * 100).toFixed(1)}%`;
  const numf = (n: number) => n.toLocaleString('en-US');
  return (
    <>
      <div class="side-by-side">
        <table id="compare-metrics">
          <caption class="muted">Balance of each proposal (lower is fairer)</caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col" class="num">
                This run
              </th>
              <th scope="col" class="num">
                Other run
              </th>
            </tr>
          </thead>
          <tbody>
            {metric('Accounts moving', cmp.left.moved, cmp.right.moved, numf)}
            {metric('Without a new owner', cmp.left.unassigned, cmp.right.unassigned, numf)}
            {metric('Spread of account counts', cmp.left.countSpread, cmp.right.countSpread, numf)}
            {metric('Spread of revenue', cmp.left.revenueSpreadCents, cmp.right.revenueSpreadCents, money)}
            {metric('CV of counts', cmp.left.countCv, cmp.right.countCv, pctf)}
            {metric('CV of revenue', cmp.left.revenueCv, cmp.right.revenueCv, pctf)}
          </tbody>
        </table>
        <p>
          <strong>{numf(cmp.differingAccounts)}</strong> account(s) are placed differently by the two
          proposals.
        </p>
      </div>
      <div class="table-wrap">
        <table id="compare-table">
          <caption class="muted">Each rep’s book after each proposal</caption>
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col" class="num">
                Accounts (this run)
              </th>
              <th scope="col" class="num">
                Accounts (other)
              </th>
              <th scope="col" class="num">
                Revenue (this run)
              </th>
              <th scope="col" class="num">
                Revenue (other)
              </th>
            </tr>
          </thead>
          <tbody>
            {cmp.reps
              .filter((r) => r.leftCount + r.rightCount > 0)
              .map((r) => (
                <tr class={r.countDelta !== 0 ? 'moved' : undefined}>
                  <th scope="row">{r.name}</th>
                  <td class="num">{r.leftCount}</td>
                  <td class="num">{r.rightCount}</td>
                  <td class="num">{money(r.leftRevenueCents)}</td>
                  <td class="num">{money(r.rightRevenueCents)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
