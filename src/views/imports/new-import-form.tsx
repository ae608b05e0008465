/** The new-import form: what to import, the file or Google Sheet link, and how to apply it. */
import { IMPORT_KINDS } from '../../import/types.ts';
import { CsrfField } from '../layout.tsx';
import { Crumbs, describedBy, FieldError } from '../shared/components.tsx';
import { KIND_LABELS } from './import-labels.ts';

export interface NewImportState {
  kind?: string;
  mode?: string;
  sheetUrl?: string;
  errors?: { file?: string; sheetUrl?: string; form?: string; hint?: string };
}

export function NewImportForm({ state, csrfToken }: { state: NewImportState; csrfToken: string }) {
  const errors = state.errors ?? {};
  return (
    <>
      <Crumbs items={[{ href: '/imports', label: 'Imports' }, { label: 'New import' }]} />
      <section class="card" aria-labelledby="new-import-title">
        <h1 id="new-import-title">Import a file or a Google Sheet</h1>
        <p class="muted">
          CSV exports of Salesforce (report or Data Loader), HubSpot and Dynamics are recognised from their
          header row; any other layout is mapped once and remembered. Nothing is written until you apply the
          preview.
        </p>
        {errors.form && (
          <div class="alert error" role="alert" id="form-error">
            <p>{errors.form}</p>
            {errors.hint && <p>{errors.hint}</p>}
          </div>
        )}
        <form method="post" action="/imports/preview" enctype="multipart/form-data" id="new-import-form">
          <CsrfField token={csrfToken} />
          <fieldset>
            <legend>Where the data comes from</legend>
            <label for="import-file">CSV file</label>
            <input
              id="import-file"
              name="file"
              type="file"
              accept=".csv,.txt,text/csv"
              {...describedBy('import-file', errors.file, true)}
            />
            <p class="hint" id="import-file-hint">
              Comma, semicolon or tab separated; UTF-8 or Latin-1.
            </p>
            <FieldError id="import-file" message={errors.file} />
            <label for="sheet-url">…or the link of a shared Google Sheet</label>
            <input
              id="sheet-url"
              name="sheetUrl"
              type="url"
              value={state.sheetUrl ?? ''}
              placeholder="https://docs.google.com/spreadsheets/d/…/edit#gid=0"
              {...describedBy('sheet-url', errors.sheetUrl, true)}
            />
            <p class="hint" id="sheet-url-hint">
              Share the sheet as “anyone with the link can view”; the tab in the link is the one imported.
            </p>
            <FieldError id="sheet-url" message={errors.sheetUrl} />
          </fieldset>
          <label for="import-kind">What the file holds</label>
          <select id="import-kind" name="kind">
            <option value="">Detect from the header row</option>
            {IMPORT_KINDS.map((k) => (
              <option value={k} selected={state.kind === k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <ModeChoice mode={state.mode} />
          <div class="actions">
            <button type="submit">Preview</button>
            <a href="/imports">Cancel</a>
          </div>
        </form>
      </section>
    </>
  );
}

export function ModeChoice({ mode }: { mode?: string | undefined }) {
  return (
    <fieldset>
      <legend>When some rows have errors</legend>
      <label class="choice">
        <input type="radio" name="mode" value="all-or-nothing" checked={mode !== 'valid-rows-only'} />
        <span>
          <strong>Import nothing</strong> — fix the file and import it again (recommended)
        </span>
      </label>
      <label class="choice">
        <input type="radio" name="mode" value="valid-rows-only" checked={mode === 'valid-rows-only'} />
        <span>
          <strong>Import the valid rows</strong> and keep the rejected ones in the error file
        </span>
      </label>
    </fieldset>
  );
}
