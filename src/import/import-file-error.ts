/** An error that stops a whole file (empty, unreadable, too many rows, wrong columns), located for a person. */
import { AppError } from '../lib/errors.ts';

export type FileProblem =
  | 'EMPTY_FILE'
  | 'HEADER_ONLY'
  | 'UNBALANCED_QUOTES'
  | 'TOO_MANY_ROWS'
  | 'TOO_LARGE'
  | 'MISSING_COLUMNS'
  | 'DUPLICATE_HEADER'
  | 'UNKNOWN_LAYOUT'
  | 'MALFORMED_CSV'
  | 'FETCH_FAILED';

export interface FileProblemDetails {
  problem: FileProblem;
  row?: number;
  column?: string;
  hint: string;
  /** Extra data for the person, e.g. the missing columns or the detected headers. */
  data?: Record<string, unknown>;
}

export class ImportFileError extends AppError {
  readonly problem: FileProblem;
  readonly hint: string;

  constructor(message: string, details: FileProblemDetails) {
    super(details.problem === 'TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'UNPROCESSABLE', message, { details });
    this.name = 'ImportFileError';
    this.problem = details.problem;
    this.hint = details.hint;
  }
}
