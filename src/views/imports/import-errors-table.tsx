/** An import's row errors as a table: row, column, value, what is wrong and what to do. */
import type { RowError } from '../../import/types.ts';
import type { StoredRowError } from '../../services/imports/import-history.ts';

export function ErrorsTable({
  errors,
  caption,
  id = 'row-errors',
}: {
  errors: readonly (RowError | StoredRowError)[];
  caption: string;
  /** The table's id: row-errors, or row-warnings for the valid rows a person should know about. */
  id?: string;
}) {
  return (
    <div class="table-wrap">
      <table id={id}>
        <caption class="muted">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              Row
            </th>
            <th scope="col">Column</th>
            <th scope="col">Value</th>
            <th scope="col">What is wrong, and what to do</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e) => (
            <tr>
              <td class="num">{e.row}</td>
              <td>{e.column || '(whole row)'}</td>
              <td>
                <code>{e.value ?? ''}</code>
              </td>
              <td>
                {e.reason}
                {'hint' in e && e.hint && <div class="muted small">{e.hint}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
