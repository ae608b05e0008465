/**
 * Spreadsheet formula injection guard for CSV files people open in Excel or Sheets: a cell starting with
 * = + - @, tab or carriage return is prefixed with an apostrophe so it shows as text and never runs.
 */
const DANGEROUS_START = /^[=+\-@\t\r]/;

export function safeCell(value: string): string {
  return DANGEROUS_START.test(value) ? `'${value}` : value;
}
