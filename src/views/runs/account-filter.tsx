/** The run's account list filter: its fields, the link that keeps it, and the filter form. */
import { query } from '../shared/components.tsx';

export interface AccountFilter {
  rep?: string | undefined;
  region?: string | undefined;
  moved?: string | undefined;
  conflict?: string | undefined;
  sort: string;
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

export function accountHref(runId: string, f: AccountFilter, changes: Partial<AccountFilter> = {}) {
  const g = { ...f, ...changes };
  return `/runs/${runId}/accounts${query({
    rep: g.rep,
    region: g.region,
    moved: g.moved,
    conflict: g.conflict,
    sort: g.sort === 'revenue' ? undefined : g.sort,
    order: g.order === 'desc' ? undefined : g.order,
    page: g.page > 1 ? g.page : undefined,
  })}`;
}

export function AccountFilters({
  runId,
  filter,
  reps,
  regions,
}: {
  runId: string;
  filter: AccountFilter;
  reps: { id: string; name: string }[];
  regions: string[];
}) {
  return (
    <form
      method="get"
      action={`/runs/${runId}/accounts`}
      class="filters"
      aria-label="Filter accounts"
      hx-get={`/runs/${runId}/accounts`}
      hx-target="#account-table"
      hx-swap="outerHTML"
      hx-trigger="change, submit"
      hx-push-url="true"
    >
      <div>
        <label for="af-rep">Rep (from or to)</label>
        <select id="af-rep" name="rep">
          <option value="">Any rep</option>
          {reps.map((r) => (
            <option value={r.id} selected={filter.rep === r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="af-region">Region</label>
        <select id="af-region" name="region">
          <option value="">Any region</option>
          {regions.map((r) => (
            <option value={r} selected={filter.region === r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="af-moved">Moves</label>
        <select id="af-moved" name="moved">
          <option value="">Moving or staying</option>
          <option value="1" selected={filter.moved === '1'}>
            Moving only
          </option>
          <option value="0" selected={filter.moved === '0'}>
            Staying only
          </option>
        </select>
      </div>
      <div>
        <label for="af-conflict">Conflicts</label>
        <select id="af-conflict" name="conflict">
          <option value="">Any</option>
          <option value="1" selected={filter.conflict === '1'}>
            With an open conflict
          </option>
        </select>
      </div>
      <input type="hidden" name="sort" value={filter.sort} />
      <input type="hidden" name="order" value={filter.order} />
      <div class="filters-submit">
        <button type="submit" class="secondary">
          Filter
        </button>
      </div>
    </form>
  );
}
