/** Zod's issues as the error contract's details: one `{ path, message }` per problem, where a person can find it. */
import type { FieldIssue } from './errors.ts';

/** What this needs of a ZodError (so the leaf imports no zod). */
interface IssueList {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

/**
 * Each issue with a dotted path into the input (`caps.0.maxAccounts`), under `prefix` when the input sits inside a
 * larger one (`params.commissionSegments`); an issue about the value itself is at the prefix, or `(root)`.
 */
export function fieldIssues(error: IssueList, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { path: [prefix, path].filter(Boolean).join('.') || '(root)', message: issue.message };
  });
}
