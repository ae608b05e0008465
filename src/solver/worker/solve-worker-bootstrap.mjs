// Worker bootstrap: registers the tsx loader inside this thread, then runs the TypeScript worker entry.
// The highs package is imported first, natively: through tsx's loader its glue code takes ~150 ms longer to
// load, and highs.ts then finds it in the module cache.
await import('highs');
const { register } = await import('tsx/esm/api');

register();
await import('./solve-worker.ts');
