/**
 * Rows of a change set a CRM file cannot express (an id that is not the CRM's, an owner who is not one of
 * its users): they are left out of that file and listed, each with its reason, in the file's read-me,
 * while the rest of the change set still exports.
 */
import type { ExportLine } from './export-lines.ts';

export interface Unexpressed {
  object: ExportLine['object'];
  recordId: string;
  recordName: string;
  reason: string;
}

/** A name on one line of a plain-text note (names are free text from the CRM). */
export const oneLine = (text: string) => text.replace(/\p{Cc}+/gu, ' ').trim();

const OBJECT_LABEL: Record<ExportLine['object'], string> = {
  account: 'account',
  opportunity: 'opportunity',
  opportunity_split: 'split of opportunity',
};

export function unexpressed(line: ExportLine, reason: string): Unexpressed {
  return { object: line.object, recordId: line.recordId, recordName: line.recordName, reason };
}

/** The read-me section listing what is not in the files, or '' when everything is. */
export function unexpressedSection(crm: string, items: readonly Unexpressed[]): string {
  if (items.length === 0) return '';
  const title = `Not in these files: ${items.length} change(s) ${crm} cannot take as they are`;
  return `
${title}
${'-'.repeat(title.length)}
Each change below is left out of the ${crm} files (the rest of the change set is in them) and stays in
change-set.csv. Make these changes by hand in ${crm}, or give the people and records their ${crm} ids in
the roster and the book (import them again) and export again.
${items.map((u) => `- ${OBJECT_LABEL[u.object]} ${oneLine(u.recordId)} ${oneLine(u.recordName)}: ${oneLine(u.reason)}`).join('\n')}
`;
}
