/**
 * On /me: what the rep earns, in money, on the opportunities each committed run changed — per true month of the
 * window and per calendar year, before and after, to the cent. The figures come from
 * src/services/review/my-commission-money.ts (the commission impact's own numbers, narrowed to the rep).
 */
import type { MyRunMoney } from '../../services/review/my-commission-money.ts';
import { moneyCents, moneyCentsDelta } from '../shared/format.ts';

const monthName = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "2026-07" → "July 2026". */
const monthLabel = (month: string) => monthName.format(new Date(`${month}-01T00:00:00Z`));

function Row({ label, before, after }: { label: string; before: number; after: number }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td class="num">{moneyCents(before)}</td>
      <td class="num">{moneyCents(after)}</td>
      <td class="num">{moneyCentsDelta(after - before)}</td>
    </tr>
  );
}

function RunMoney({ money, runName }: { money: MyRunMoney; runName: string }) {
  const years = [...new Set(money.months.map((m) => m.month.slice(0, 4)))];
  const yearSum = (year: string, key: 'beforeCents' | 'afterCents') =>
    money.months.filter((m) => m.month.startsWith(year)).reduce((s, m) => s + m[key], 0);
  return (
    <div class="table-wrap" data-run={money.runId}>
      <table class="my-money">
        <caption>
          {runName}: new split from {money.reassignmentDate}
        </caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col" class="num">
              I earned before
            </th>
            <th scope="col" class="num">
              I earn after
            </th>
            <th scope="col" class="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {money.months.map((m) => (
            <Row label={monthLabel(m.month)} before={m.beforeCents} after={m.afterCents} />
          ))}
        </tbody>
        <tbody class="totals">
          {years.map((year) => {
            const n = money.months.filter((m) => m.month.startsWith(year)).length;
            return (
              <Row
                label={`Year ${year} (${n} month${n === 1 ? '' : 's'} of the window)`}
                before={yearSum(year, 'beforeCents')}
                after={yearSum(year, 'afterCents')}
              />
            );
          })}
          <Row
            label={`${money.window.months} months, ${money.window.from} to ${money.window.to}`}
            before={money.annualBeforeCents}
            after={money.annualAfterCents}
          />
        </tbody>
      </table>
    </div>
  );
}

/** One table per committed run that changed the rep's money; nothing when none did. */
export function MyCommissionMoney({
  money,
  runNames,
}: {
  money: MyRunMoney[];
  runNames: Map<string, string>;
}) {
  if (money.length === 0) return null;
  return (
    <section id="my-commission-money" aria-labelledby="my-money-title">
      <h3 id="my-money-title">My commission in money, per month and per year</h3>
      <p class="muted small">
        What you earn on the opportunities each run changed, from their revenue schedules: the true months
        (not an average), before the run and after it.
      </p>
      {money.map((m) => (
        <RunMoney money={m} runName={runNames.get(m.runId) ?? 'A committed run'} />
      ))}
    </section>
  );
}
