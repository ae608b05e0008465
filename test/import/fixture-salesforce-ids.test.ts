/**
 * The fixtures stand for real CRM exports, so every Salesforce id in them must be one Salesforce could
 * write: an 18-character id carries the checksum of its first 15 characters, a Data Loader export writes
 * the 18-character form and a report the 15-character one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { to18 } from '../../src/exports/salesforce-id.ts';

const ROOT = fileURLToPath(new URL('../fixtures', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The text of a fixture in whatever encoding its byte-order mark names (UTF-8 without one). */
function fixtureText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

// Key prefixes of the objects the fixtures export: Account, Contact, User, Opportunity, Profile, Lead,
// UserRole. An id is 15 or 18 letters and digits standing alone; HubSpot ids (all digits, 8-10 long) and
// Dynamics GUIDs (hyphenated, at most 12 characters a part) never take this shape.
const SALESFORCE_ID =
  /(?<![A-Za-z0-9])(?:001|003|005|006|00e|00Q|00E)[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?(?![A-Za-z0-9])/g;

function salesforceIdsIn(text: string): string[] {
  return [...text.matchAll(SALESFORCE_ID)].map((m) => m[0]).filter((id) => /[a-zA-Z]/.test(id));
}

const found = filesUnder(ROOT).map((path) => ({
  file: relative(ROOT, path),
  ids: salesforceIdsIn(fixtureText(readFileSync(path))),
}));

describe('Salesforce ids in the fixtures', () => {
  it('finds ids by their shape, not HubSpot numbers or GUIDs', () => {
    expect(salesforceIdsIn('"5012345678","41234567","{8F3C2B1A-0000-4000-8000-00000000AA01}"')).toEqual([]);
    expect(
      salesforceIdsIn('"001Dn00000AbCdE","005Dn00000JaneDIAR",00Q5g00000LeAdXAAA;x0055g00000JaneD'),
    ).toEqual(['001Dn00000AbCdE', '005Dn00000JaneDIAR', '00Q5g00000LeAdXAAA']);
    expect(found.filter((f) => f.file.includes('salesforce')).every((f) => f.ids.length > 0)).toBe(true);
  });

  it('every 18-character id carries the checksum of its first 15 characters', () => {
    const wrong = found.flatMap(({ file, ids }) =>
      ids.filter((id) => id.length === 18 && to18(id.slice(0, 15)) !== id).map((id) => `${file}: ${id}`),
    );
    expect(found.some(({ ids }) => ids.some((id) => id.length === 18))).toBe(true);
    expect(wrong).toEqual([]);
  });

  it('a Data Loader export writes 18-character ids, a report 15-character ones', () => {
    const misfit = found.flatMap(({ file, ids }) => {
      const name = basename(file);
      const want = name.includes('dataloader') ? 18 : name.includes('-report') ? 15 : null;
      return want === null ? [] : ids.filter((id) => id.length !== want).map((id) => `${file}: ${id}`);
    });
    expect(misfit).toEqual([]);
  });
});
