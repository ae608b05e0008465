/**
 * The audit timeline says every event kind in words: this collects the kinds the code emits (every 'entity.verb'
 * literal in the layers that write, and the dotted templates such as `run.${action}` expanded over their
 * values) and requires a wording for each, so a new kind of event cannot reach the timeline as a raw code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_WORDS, auditActionWords } from '../../src/views/audit/audit-words.ts';
import { RUN_ACTIONS } from '../../src/workflow/run-status.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;
/** The layers that write to the database; the pure cores (no I/O), the pages and the API routes emit no event. */
const EMITTERS = ['services', 'auth', 'db', 'jobs', 'cli', 'composition'];

/**
 * Dotted literals in the emitting layers that are not audit kinds: field paths of the run contract and of inputs
 * (params.*, input.*), of JSON columns read (custom.*: accounts.custom's fields), Postgres settings and schema
 * names (app.*, public.*), file names, and these few others.
 */
const NOT_EVENT_PREFIXES = ['params', 'input', 'custom', 'app', 'public'];
const NOT_EVENT_KINDS = new Set([
  'accounts.csv',
  'reps.csv',
  'bookshift.lock',
  'reference.params',
  'strategy.action',
]);
const isEventKind = (literal: string) =>
  !NOT_EVENT_KINDS.has(literal) &&
  !NOT_EVENT_PREFIXES.includes(literal.split('.')[0]!) &&
  !literal.endsWith('.csv');

/** The `action:` templates: the kinds each one writes. */
const TEMPLATES: Record<string, string[]> = {
  'run.${action}': RUN_ACTIONS.map((a) => `run.${a}`),
  '${object}.owner_restored': ['account.owner_restored', 'opportunity.owner_restored'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function emittedKinds() {
  const kinds = new Set<string>();
  const unknownTemplates: string[] = [];
  for (const file of EMITTERS.flatMap((layer) => files(join(SRC, layer)))) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) if (isEventKind(m[1]!)) kinds.add(m[1]!);
    // A built kind is an `action:` written from a template (a dotted template anywhere else is a path).
    for (const m of source.matchAll(/action:\s*`([a-z_]+\.\$\{[^}`]+\}|\$\{[^}`]+\}\.[a-z_]+)`/g)) {
      const expansion = TEMPLATES[m[1]!];
      if (expansion === undefined) unknownTemplates.push(`${file.slice(SRC.length)}: \`${m[1]}\``);
      else for (const kind of expansion) kinds.add(kind);
    }
  }
  return { kinds: [...kinds].sort(), unknownTemplates };
}

describe('the audit timeline in words', () => {
  it('has a wording for every event kind the code emits', () => {
    const { kinds, unknownTemplates } = emittedKinds();
    // An `action:` template nobody has expanded here builds kinds this test cannot see: say which.
    expect(unknownTemplates).toEqual([]);
    // The scan found the kinds every run writes (a scan that finds nothing would prove nothing).
    expect(kinds).toEqual(expect.arrayContaining(['run.created', 'run.commit_started', 'run.committed']));
    expect(kinds.length).toBeGreaterThan(30);
    const missing = kinds.filter((k) => !(k in AUDIT_ACTION_WORDS));
    expect(missing).toEqual([]);
  });

  it('says each kind in words, never as its code', () => {
    for (const [kind, words] of Object.entries(AUDIT_ACTION_WORDS)) {
      expect(words, kind).not.toMatch(/[._]/);
      expect(words.length, kind).toBeGreaterThan(3);
    }
    expect(auditActionWords('run.commit_started')).toBe('started the commit');
    // A kind written before this mapping knew it still reads as words.
    expect(auditActionWords('legacy.thing_done')).toBe('legacy thing done');
  });
});
