/**
 * Layer rules for src (docs/ARCHITECTURE.md, "Layers", draws the same picture).
 * `npm run check:deps` runs them with `--ignore-known`: what today's code still breaks is listed in
 * .dependency-cruiser-known-violations.json and may only shrink (`npm run check:deps:baseline` rewrites it).
 */

/** Folders that sit below the app: they import nothing from the HTTP, page or service layers. */
const LOWER = '^src/(lib|db|auth|jobs|commission|rules|workflow|exports|notices|import|solver)/';

/** The stages of a run's life in src/services, in order (docs/ARCHITECTURE.md). */
const SERVICES = '^src/services/';
const STAGES = ['plan', 'solve', 'review', 'approve', 'commit', 'after'];
/** The commission queue except its leaf (settle.ts): it creates and cancels runs through the stages. */
const AROUND_QUEUE = `${SERVICES}commission-queue/(?!settle\\.ts$)`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'A module never reaches itself through its imports: cut the loop by moving the shared piece down.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'solver-stays-in-solver',
      severity: 'error',
      comment:
        'The solver is pure: it imports only its own modules, packages and the leaf helpers in src/lib, never the rest of the app.',
      from: { path: '^src/solver/' },
      to: { path: '^(src|db)/', pathNot: '^src/(solver|lib)/' },
    },
    {
      name: 'lib-is-a-leaf',
      severity: 'error',
      comment: 'src/lib holds tiny shared pieces that import nothing else from the app.',
      from: { path: '^src/lib/' },
      to: { path: '^(src|db)/', pathNot: '^src/lib/' },
    },
    {
      name: 'solver-core-no-node',
      severity: 'error',
      comment:
        'The solver core does no I/O: node built-ins only in src/solver/engines (loading the HiGHS wasm, worker threads) and src/solver/worker.',
      from: { path: '^src/solver/', pathNot: '^src/solver/(engines|worker)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'solver-no-network-or-database',
      severity: 'error',
      comment: 'Even the solver engines and worker never touch the network, processes or the database.',
      from: { path: '^src/solver/' },
      to: {
        path: '^(node:)?(net|http|https|http2|tls|dgram|dns|child_process|cluster)$|(^|/)node_modules/(postgres|drizzle-orm|@electric-sql/pglite)/',
      },
    },
    {
      name: 'composition-at-the-top',
      severity: 'error',
      comment:
        'Lower layers never import the API, the pages or the services: the app (src/app.ts) assembles them, not the other way round.',
      from: { path: LOWER },
      to: { path: '^src/(api|views|services)/' },
    },
    {
      name: 'lower-layers-no-app',
      severity: 'error',
      comment:
        'Only the entry point and the CLI import the app factory and the pieces it is assembled from (src/composition).',
      from: { path: '^src/', pathNot: '^src/(index|app)\\.ts$|^src/(cli|composition)/' },
      to: { path: '^src/app\\.ts$|^src/composition/' },
    },
    {
      name: 'views-no-database',
      severity: 'error',
      comment: 'Pages render what services return: no schema, no drizzle, no postgres in src/views.',
      from: { path: '^src/views/' },
      to: { path: '^db/schema|^src/db/|(^|/)node_modules/(drizzle-orm|postgres|@electric-sql/pglite)/' },
    },
    {
      name: 'services-no-http',
      severity: 'error',
      comment: 'Services take { ctx, input } and return results: they import neither the API nor the pages.',
      from: { path: '^src/services/' },
      to: { path: '^src/(api|views)/' },
    },
    // The services pipeline (docs/ARCHITECTURE.md, "Services: a run's life, one way"): each stage imports only the
    // leaves and the stages before it; the commission queue and the dashboard sit around it and nothing in it imports them.
    {
      name: 'services-leaves-stay-leaves',
      severity: 'error',
      comment:
        'The leaves (audit, book, run-records, commission-splits, commission-queue/settle.ts) import no stage of the pipeline and nothing around it.',
      from: {
        path: `${SERVICES}(audit|book|run-records|commission-splits)/|${SERVICES}commission-queue/settle\\.ts$`,
      },
      to: { path: `${SERVICES}(${STAGES.join('|')}|dashboard)/|${AROUND_QUEUE}` },
    },
    ...STAGES.map((stage, i) => ({
      name: `services-${stage}-only-earlier-stages`,
      severity: 'error',
      comment: `The ${stage} stage imports the leaves and the stages before it, never ${STAGES.slice(i + 1).join(', ') || 'the queue or the dashboard'} nor what sits around the pipeline.`,
      from: { path: `${SERVICES}${stage}/` },
      to: { path: [`${SERVICES}(${[...STAGES.slice(i + 1), 'dashboard'].join('|')})/`, AROUND_QUEUE] },
    })),
    {
      name: 'services-independent-of-runs',
      severity: 'error',
      comment:
        'auth, imports and rulesets know nothing of runs: among the services they import only one another and the audit leaf (who did it).',
      from: { path: `${SERVICES}(auth|imports|rulesets)/` },
      to: { path: SERVICES, pathNot: `${SERVICES}(auth|imports|rulesets|audit)/` },
    },
    {
      name: 'api-no-views',
      severity: 'error',
      comment: 'The JSON API does not render pages.',
      from: { path: '^src/api/' },
      to: { path: '^src/views/' },
    },
    {
      name: 'api-through-services',
      severity: 'error',
      comment:
        'Route handlers and middleware validate, call a service and map errors: no tables or SQL in src/api.',
      from: { path: '^src/api/' },
      to: { path: '^db/schema|^src/db/(query-rows|audit)\\.ts$|(^|/)node_modules/drizzle-orm/' },
    },
    {
      name: 'views-no-api-routes',
      severity: 'error',
      comment:
        'Pages reach data through services, not through the JSON route handlers (shared HTTP helpers in src/api outside routes/ are fine).',
      from: { path: '^src/views/' },
      to: { path: '^src/api/routes/' },
    },
    {
      name: 'not-to-test',
      severity: 'error',
      comment: 'Production code never imports test code.',
      from: { path: '^(src|db|bin)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import resolves.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules may be a symlink (git worktrees): keep resolved paths the same as in a plain checkout.
    preserveSymlinks: true,
    exclude: { path: '^test/api/generated' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
