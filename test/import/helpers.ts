/** Test helpers for imports: fixtures, scanning text, collecting records. */
import { readFileSync } from 'node:fs';
import { OwnerDirectory } from '../../src/import/owner-directory.ts';
import { type ImportScan, type ScanOptions, scanImport } from '../../src/import/scan.ts';

export const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));
export const bytes = (text: string) => new TextEncoder().encode(text);

export const roster = new OwnerDirectory([
  { crmId: '0055g00000JaneDAAR', email: 'jane.doe@example.com', name: 'Jane Doe' },
  { crmId: '0055g00000JohnSAAR', email: 'john.smith@example.com', name: 'John Smith' },
  { crmId: '0055g00000NewHIAAZ', email: 'nia.newhire@example.com', name: 'Nia Newhire' },
  { crmId: '0055g00000MgrXYAAZ', email: 'mgr@example.com', name: 'Maria Manager' },
  { crmId: 'SUB-001', email: 'partners@partnerco.example', name: 'Partner Co' },
]);

export function scanText(text: string, options: Partial<ScanOptions> = {}): Promise<ImportScan> {
  return scanImport(bytes(text), { maxRows: 10_000, context: { roster }, ...options });
}

export async function allRecords<T>(scan: ImportScan): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of scan.records(7)) out.push(...(batch as T[]));
  return out;
}
