/**
 * Functions in src over MAX_LINES lines (`npm run check:functions`, in .ci/run). What today's code still has is listed
 * in .function-length-baseline.json with each function's length: CI fails on a function over the limit that is not
 * listed, or that grew past its listed length. The list only shrinks: after a split, `npm run check:functions:baseline`
 * rewrites it, and refuses to add a function or to raise a length (only the first run, without the file, starts it).
 *
 * A function is named by its file and its name: the declared name, the variable or property it is assigned to, or
 * for a callback the call it is passed to (`router.get('/runs/:id')`), so a key survives edits above it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_LINES = 80;
const ROOT = join(import.meta.dirname, '..');
const BASELINE = join(ROOT, '.function-length-baseline.json');

type Lengths = Record<string, number>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.ConstructorDeclaration
  | ts.AccessorDeclaration;

const isFunction = (node: ts.Node): node is FunctionNode =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

/** The callee of a call and its first string argument, e.g. `router.get('/runs/:id')`. */
function callName(call: ts.CallExpression, file: ts.SourceFile): string {
  const callee = call.expression.getText(file).replace(/\s+/g, '');
  const short = callee.length > 40 ? `…${callee.slice(-40)}` : callee;
  const first = call.arguments[0];
  const label = first && ts.isStringLiteralLike(first) ? `'${first.text}'` : '';
  return `${short}(${label})`;
}

function nameOf(node: FunctionNode, file: ts.SourceFile): string {
  if ('name' in node && node.name) return node.name.getText(file);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(file);
  if (ts.isCallExpression(parent)) return `${callName(parent, file)} callback`;
  return 'anonymous';
}

/** Every function of a file over the limit, by `path#name` (a repeated name gets `#2`, `#3` …). */
function measure(path: string): Lengths {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const out: Lengths = {};
  const seen = new Map<string, number>();
  const visit = (node: ts.Node, outer: string) => {
    let scope = outer;
    if (isFunction(node)) {
      const own = nameOf(node, file);
      // A callback or an anonymous function is named inside the function that holds it.
      const declared = own !== 'anonymous' && !own.endsWith(' callback');
      scope = declared || !outer ? own : `${outer} > ${own}`;
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      const base = `${relative(ROOT, path)}#${scope}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      if (lines > MAX_LINES) out[n === 1 ? base : `${base}#${n}`] = lines;
    }
    ts.forEachChild(node, (child) => visit(child, scope));
  };
  visit(file, '');
  return out;
}

const current: Lengths = Object.assign({}, ...sourceFiles(join(ROOT, 'src')).sort().map(measure));
// Without a baseline file (the first run), --write starts one from what is there now.
const first = !existsSync(BASELINE);
const baseline: Lengths = first ? {} : JSON.parse(readFileSync(BASELINE, 'utf8'));
const problems = Object.entries(current).flatMap(([key, lines]) => {
  if (first) return [];
  const allowed = baseline[key];
  if (allowed === undefined) return [`${key}: ${lines} lines (over ${MAX_LINES}, not in the baseline)`];
  return lines > allowed ? [`${key}: ${lines} lines (grew past its baseline of ${allowed})`] : [];
});

if (first && !process.argv.includes('--write')) {
  console.error(`${relative(ROOT, BASELINE)} is missing: start it with npm run check:functions:baseline.`);
  process.exit(1);
} else if (process.argv.includes('--write')) {
  if (problems.length > 0) {
    console.error(`The baseline only shrinks; split these first:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  const sorted = Object.fromEntries(Object.entries(current).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(BASELINE, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`${Object.keys(sorted).length} functions over ${MAX_LINES} lines left in the baseline.`);
} else if (problems.length > 0) {
  console.error(`Functions over ${MAX_LINES} lines (split them by purpose):\n  ${problems.join('\n  ')}`);
  process.exit(1);
} else {
  const shrunk = Object.keys(baseline).filter((key) => (current[key] ?? 0) < baseline[key]!);
  const note = shrunk.length > 0 ? `; ${shrunk.length} shrank: run npm run check:functions:baseline` : '';
  console.log(`${Object.keys(current).length} functions over ${MAX_LINES} lines, none new or longer${note}.`);
}
