/** The one demo password (db/seed.ts), published in the README: printed at start outside production, and
 * refused at sign-in with NODE_ENV=production so a database seeded elsewhere cannot be entered with it. */
export const DEMO_PASSWORD = 'bookshift-demo';

/** The demo accounts the login page lists outside production (set by src/index.ts after seeding). */
export interface DemoHint {
  password: string;
  users: Array<{ email: string; role: string }>;
}
