/**
 * Reads a ruleset from JSON or YAML text (or an object) and validates it, turning every problem into
 * `path: message` lines a person can act on, e.g. `segments[1].receivingReps[0]: must be a rep id`.
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Ruleset, rulesetSchema } from './ruleset-schema.ts';

export interface RulesetIssue {
  /** `segments[1].receivingReps[0]`; '' for the whole document. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export type RulesetParse = { ok: true; ruleset: Ruleset } | { ok: false; issues: RulesetIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    const key = String(part);
    return out === '' ? key : `${out}.${key}`;
  }, '');
}

export function zodIssues(error: z.ZodError): RulesetIssue[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys')
      message = `unknown setting(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} — check the spelling`;
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required';
    return { path: formatPath(issue.path), message, severity: 'error' as const };
  });
}

export function validateRuleset(value: unknown): RulesetParse {
  const result = rulesetSchema.safeParse(value);
  return result.success ? { ok: true, ruleset: result.data } : { ok: false, issues: zodIssues(result.error) };
}

/** JSON is YAML, so one parser reads both; syntax errors say the line and column. */
export function parseRulesetText(text: string): RulesetParse {
  if (text.trim() === '')
    return { ok: false, issues: [{ path: '', message: 'the ruleset is empty', severity: 'error' }] };
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
        return {
          path: '',
          message: `${where}${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
          severity: 'error' as const,
        };
      }),
    };
  }
  return validateRuleset(doc.toJS({ maxAliasCount: 100 }));
}

export function describeIssues(issues: readonly RulesetIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}
