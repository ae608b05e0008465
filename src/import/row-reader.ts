/**
 * Reads the mapped cells of one row as typed values, collecting a RowError (row, column, field, value,
 * reason, hint) for each bad cell instead of throwing, so one pass reports every problem of a file.
 */
import { displayText, TEXT_LIMITS, textProblem } from '../lib/text.ts';
import { canonicalCrmId } from './crm-id.ts';
import type { MappingOptions, ResolvedMapping } from './mapping.ts';
import { damagedIdProblem, type OwnerDirectory } from './owner-directory.ts';
import type { RowError } from './types.ts';
import { parseDate } from './values/dates.ts';
import { parseMoneyCents } from './values/money.ts';
import type { Parsed } from './values/parsed.ts';
import { parsePercentBps } from './values/percent.ts';
import { parseBoolean, parseEmail, parseWeight, parseWholeNumber } from './values/scalars.ts';

export class RowReader {
  readonly errors: RowError[] = [];
  readonly options: MappingOptions;

  constructor(
    private readonly cells: readonly string[],
    readonly row: number,
    private readonly resolved: ResolvedMapping,
  ) {
    this.options = resolved.mapping.options;
    this.checkCharacters();
  }

  /** The text rule on every cell of the row, mapped or not: a control character is that cell's error. */
  private checkCharacters(): void {
    for (let i = 0; i < this.cells.length; i++) {
      const problem = textProblem(this.cells[i]!, Number.POSITIVE_INFINITY);
      if (!problem) continue;
      const column = this.resolved.header[i] ?? '';
      const field = [...this.resolved.index].find(([, at]) => at === i)?.[0] ?? '';
      this.errors.push({
        row: this.row,
        column,
        field,
        value: displayText(this.cells[i]!),
        reason: `${column || `column ${i + 1}`} ${problem}`,
        hint: 'Remove the character in the spreadsheet (it is invisible there) and export the file again.',
      });
    }
  }

  has(field: string): boolean {
    return this.resolved.index.has(field);
  }

  raw(field: string): string {
    const i = this.resolved.index.get(field);
    return i === undefined ? '' : (this.cells[i] ?? '');
  }

  /** Non-blank cells of columns no field uses, by header. */
  unmappedCells(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.resolved.unmapped) {
      const value = (this.cells[i] ?? '').trim();
      if (value !== '') out[this.resolved.header[i]!] = value;
    }
    return out;
  }

  /** Cells beyond the header's last column that hold data (a sign of an unquoted comma). */
  extraCells(): number {
    return this.cells.slice(this.resolved.header.length).filter((c) => c.trim() !== '').length;
  }

  column(field: string): string {
    const i = this.resolved.index.get(field);
    return i === undefined ? '' : (this.resolved.header[i] ?? '');
  }

  fail(field: string, reason: string, hint: string): void {
    this.errors.push({
      row: this.row,
      column: this.column(field),
      field,
      value: displayText(this.raw(field)),
      reason,
      hint,
    });
  }

  /** Trimmed text, or null when blank; a blank required cell is an error. */
  text(field: string, required = false): string | null {
    const value = this.raw(field).trim();
    if (value.length > textLimitOf(field)) {
      this.fail(
        field,
        `${field} ${textProblem(value, textLimitOf(field))}`,
        'Shorten the value in the spreadsheet: runs, pages and exports take no longer text.',
      );
      return null;
    }
    if (value !== '') return value;
    if (required)
      this.fail(field, `${field} is missing`, `Fill in ${this.column(field) || field} on this row.`);
    return null;
  }

  /** A CRM id in its canonical form (Salesforce 18 characters, bare lower-case GUID), or null when blank. */
  id(field: string, required = false): string | null {
    const value = this.text(field, required);
    return value === null ? null : canonicalCrmId(value);
  }

  private parsed<T>(field: string, result: Parsed<T | null>, required: boolean): T | null {
    if (!result.ok) {
      this.fail(field, result.reason, result.hint);
      return null;
    }
    if (result.value === null && required) {
      this.fail(field, `${field} is missing`, `Fill in ${this.column(field) || field} on this row.`);
    }
    return result.value;
  }

  /** Money in cents, never negative. A blank cell is 0, or an error when the mapping or the field says so. */
  money(field: string, opts: { required?: boolean; blank?: 'zero' | 'null' } = {}): number | null {
    const result = parseMoneyCents(this.raw(field), {
      decimalComma: this.options.decimalComma,
      suffixes: this.options.moneySuffixes,
    });
    const blankIsError = opts.required || (opts.blank !== 'null' && this.options.blankMoney === 'error');
    const cents = this.parsed(field, result, blankIsError && this.has(field));
    if (cents === null) return opts.blank === 'null' || blankIsError ? null : 0;
    if (cents < 0) {
      this.fail(field, `${field} is negative`, 'Amounts must be zero or more; check the sign of this cell.');
      return null;
    }
    return cents;
  }

  date(field: string, required = false): string | null {
    return this.parsed(field, parseDate(this.raw(field), this.options.dateFormat), required);
  }

  boolean(field: string, fallback: boolean): boolean {
    return this.parsed(field, parseBoolean(this.raw(field)), false) ?? fallback;
  }

  wholeNumber(field: string): number | null {
    return this.parsed(field, parseWholeNumber(this.raw(field)), false);
  }

  percent(field: string, required = false): number | null {
    return this.parsed(field, parsePercentBps(this.raw(field), this.options.percentScale), required);
  }

  weight(field: string): number | null {
    return this.parsed(field, parseWeight(this.raw(field)), false);
  }

  email(field: string): string | null {
    return this.parsed(field, parseEmail(this.raw(field)), false);
  }

  /**
   * A person named by CRM user id, e-mail or exact name, resolved against the roster. Without a roster
   * (no directory given) the raw value is kept and checked later.
   */
  rep(field: string, directory: OwnerDirectory | undefined, required = false): string | null {
    const value = this.text(field, required);
    if (value === null || !directory) return value;
    const match = directory.match(value);
    if (match.found) return match.crmId;
    if (match.ambiguous) {
      // In id order, so the same roster always gives the same message whatever order it was read in.
      const names = [...match.candidates]
        .sort((a, b) => (a.crmId < b.crmId ? -1 : a.crmId > b.crmId ? 1 : 0))
        .map((c) => `${c.crmId}${c.email ? ` <${c.email}>` : ''}`)
        .join(', ');
      this.fail(
        field,
        `"${value}" matches ${match.candidates.length} reps by name (${names})`,
        'Use the CRM user id or e-mail of the owner instead of the name, or make the names distinct in the roster.',
      );
    } else if (match.damaged) {
      const { reason, hint } = damagedIdProblem(value, match.damaged);
      this.fail(field, reason, hint);
    } else {
      this.fail(
        field,
        `"${value}" is not a rep in the roster (no CRM user id, e-mail or exact name matches)`,
        'Import the roster (reps) first, or add this person to it, then import this file again.',
      );
    }
    return null;
  }
}

/** The longest text a field may hold: names as the solver and pages take them, ids and labels shorter. */
export function textLimitOf(field: string): number {
  if (field === 'name' || field.endsWith('_name')) return TEXT_LIMITS.name;
  if (field === 'email') return TEXT_LIMITS.email;
  return TEXT_LIMITS.label;
}
