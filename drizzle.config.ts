/** drizzle-kit configuration: `npm run db:generate` writes SQL migrations to db/migrations (never `push`). */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  strict: true,
  verbose: true,
});
