/**
 * An account the import flagged "keep with its owner" (`accounts.custom.protected`) counts the same for the
 * ruleset's cross-checks (what each rep already holds on accounts no run may move) as for the book a solve plans
 * with: only true, or the text 'true'. A file whose unmapped column happens to be called "protected" and holds
 * other text ('yes', 'maybe') neither counts nor breaks the check (it was cast to boolean in SQL, which refused
 * 'maybe').
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withOrg } from '../../../src/db/tenancy.ts';
import { loadBook } from '../../../src/services/book/load-book.ts';
import { rosterAndLoad } from '../../../src/services/rulesets/rulesets.ts';
import { createHarness, createOrgWithUsers, type Harness } from '../../app/harness.ts';
import { createAccount, createRep } from '../../support/factories.ts';

let h: Harness;
let orgId: string;
let repCrm: string;
const flags: Record<string, unknown> = {
  bool: true,
  text: 'true',
  falseBool: false,
  yes: 'yes',
  maybe: 'maybe',
  one: '1',
};

beforeAll(async () => {
  h = await createHarness();
  orgId = (await createOrgWithUsers(h, 'Protected Flag Org')).id;
  const rep = await createRep(h.db.db, orgId, {
    name: 'Pat Holder',
    region: 'West',
    crmUserId: '005000000000PAT',
  });
  repCrm = rep.crmUserId!;
  for (const [name, flag] of Object.entries(flags))
    await createAccount(h.db.db, orgId, {
      name,
      ownerRepId: rep.id,
      region: 'West',
      annualRevenueCents: 1_000_00,
      custom: { protected: flag },
    });
  await createAccount(h.db.db, orgId, {
    name: 'none',
    ownerRepId: rep.id,
    region: 'West',
    annualRevenueCents: 1_000_00,
  });
});
afterAll(() => h?.close());

it('the cross-checks count exactly the accounts the solve keeps with their owner, and any text is safe', async () => {
  const { load } = await withOrg(h.db.db, { orgId }, (tx) => rosterAndLoad(tx));
  const book = await withOrg(h.db.db, { orgId }, (tx) => loadBook(tx, null));
  const kept = book.accounts
    .filter((a) => a.keepWithOwner)
    .map((a) => a.name)
    .sort();
  expect(kept).toEqual(['bool', 'text']);
  expect(load.get(repCrm)).toEqual({ accounts: kept.length, revenueCents: kept.length * 1_000_00 });
});
