// Worker bootstrap: registers the tsx loader inside this thread, then runs the TypeScript worker entry.
import { register } from 'tsx/esm/api';

register();
await import('./solve-worker.ts');
