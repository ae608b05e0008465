/**
 * The CRM files of a committed run, every file each format writes (run-exports.ts EXPORT_FILES): each
 * one downloads, and a change a CRM cannot take is listed in that format's read-me instead of failing it.
 */
import { EXPORT_FILES } from '../../services/after/run-exports.ts';

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

export function ExportLinks({ base }: { base: string }) {
  return (
    <ul id="export-links">
      <li>
        <a href={`${base}/neutral`}>Change set (CSV)</a>
      </li>
      {(Object.keys(EXPORT_FILES) as (keyof typeof EXPORT_FILES)[]).map((format) => (
        <li>
          {CRM[format]}:{' '}
          {Object.keys(EXPORT_FILES[format]).map((file, i) => (
            <>
              {i > 0 && ' · '}
              <a href={i === 0 ? `${base}/${format}` : `${base}/${format}?file=${file}`}>
                {LABELS[file] ?? file}
              </a>
            </>
          ))}
        </li>
      ))}
      <li>
        <a href={`${base}/inverse`}>Inverse file (to undo in the CRM)</a>
      </li>
    </ul>
  );
}
