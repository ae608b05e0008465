/**
 * The CRM files of a committed run, every file each format writes (run-exports.ts EXPORT_FILES), each with
 * what it holds: the rows of a CSV, and in a read-me how many changes that CRM's files leave out (listed there
 * with the reason). A format whose files cannot be built gets no link, only the reason.
 */
import type { ExportOverview, FileOverview } from '../../services/after/export-overview.ts';
import { EXPORT_FILES } from '../../services/after/run-exports.ts';
import { num } from '../shared/format.ts';

const LABELS: Record<string, string> = {
  accounts: 'accounts',
  opportunities: 'opportunities',
  'splits-delete': 'splits to delete',
  'splits-insert': 'splits to insert',
  companies: 'companies',
  deals: 'deals',
  readme: 'read me',
};
const CRM: Record<keyof typeof EXPORT_FILES, string> = {
  salesforce: 'Salesforce',
  hubspot: 'HubSpot',
  dynamics: 'Dynamics 365',
};

function holds(file: FileOverview | undefined, crm: string): string {
  if (file?.rows !== undefined) return ` (${num(file.rows)} row${file.rows === 1 ? '' : 's'})`;
  if (file?.leftOut) return ` (lists ${num(file.leftOut)} change(s) ${crm} cannot take)`;
  return '';
}

export function ExportLinks({ base, overview }: { base: string; overview: ExportOverview }) {
  return (
    <ul id="export-links">
      <li>
        <a href={`${base}/neutral`}>Change set (CSV)</a> ({num(overview.changes)} change(s))
      </li>
      {(Object.keys(EXPORT_FILES) as (keyof typeof EXPORT_FILES)[]).map((format) => {
        const built = overview.formats[format];
        if (!built.ok) {
          return (
            <li id={`export-${format}`}>
              {CRM[format]}: <span class="field-error">the files cannot be written: {built.reason}</span>
            </li>
          );
        }
        return (
          <li id={`export-${format}`}>
            {CRM[format]}:{' '}
            {Object.keys(EXPORT_FILES[format]).map((file, i) => (
              <>
                {i > 0 && ' · '}
                <a href={i === 0 ? `${base}/${format}` : `${base}/${format}?file=${file}`}>
                  {LABELS[file] ?? file}
                </a>
                <span class="muted small">{holds(built.files[file], CRM[format])}</span>
              </>
            ))}
          </li>
        );
      })}
      <li>
        <a href={`${base}/inverse`}>Inverse file (to undo in the CRM)</a>
      </li>
    </ul>
  );
}
