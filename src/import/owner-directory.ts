/**
 * Matches an owner cell to a rep of the roster: by CRM user id, then e-mail, then exact name. A name two
 * reps share is ambiguous and reported with the candidates; it is never resolved by guessing.
 * Salesforce ids: a 15-character id is case-sensitive; an 18-character id names the exact 15-character id its
 * checksum encodes (so one whose case a spreadsheet changed still matches), and one whose checksum does not fit
 * its first 15 characters is damaged: reported as such, never matched by its first 15 characters.
 */
import { from18, to18 } from '../exports/salesforce-id.ts';
import { canonicalCrmId } from './crm-id.ts';

export interface DirectoryRep {
  crmId: string;
  email?: string | null;
  name: string;
}

export type OwnerMatch =
  | { found: true; crmId: string; by: 'id' | 'email' | 'name' }
  | { found: false; ambiguous: false; damaged?: DamagedSalesforceId }
  | { found: false; ambiguous: true; candidates: DirectoryRep[] };

/** An 18-character Salesforce id whose last three characters are not the checksum of its first 15. */
export interface DamagedSalesforceId {
  /** The three characters the file has. */
  checksum: string;
  /** The checksum the first 15 characters, as written, have. */
  expected: string;
}

const SALESFORCE_18 = /^(?=[a-zA-Z0-9]{0,14}[a-zA-Z])[a-zA-Z0-9]{18}$/;

/** The damage of an 18-character Salesforce-shaped id, or null when it is not one or its checksum fits. */
function damageOf(id: string): DamagedSalesforceId | null {
  if (!SALESFORCE_18.test(id)) return null;
  const expected = to18(id.slice(0, 15)).slice(15);
  const checksum = id.slice(15);
  return expected === checksum.toUpperCase() ? null : { checksum, expected };
}

/** The row error's reason and hint for a damaged id: what is wrong with it and what to do. */
export function damagedIdProblem(
  value: string,
  damaged: DamagedSalesforceId,
): { reason: string; hint: string } {
  return {
    reason: `"${value}" looks like a damaged Salesforce id: its last three characters "${damaged.checksum}" are not the checksum of its first 15 ("${damaged.expected}"), and it names no rep of the roster, so it is not matched by its first 15 characters`,
    hint: 'Re-export the report from Salesforce with 18-character ids (or take the ids from a Data Loader export) and import the file unedited: a spreadsheet that changes a character or the case of an id damages it.',
  };
}

const normaliseName = (name: string) => name.trim().replace(/\s+/g, ' ');

export class OwnerDirectory {
  private readonly byId = new Map<string, DirectoryRep>();
  private readonly byEmail = new Map<string, DirectoryRep>();
  private readonly byName = new Map<string, DirectoryRep[]>();

  constructor(reps: Iterable<DirectoryRep> = []) {
    for (const rep of reps) this.add(rep);
  }

  add(rep: DirectoryRep): void {
    this.byId.set(canonicalCrmId(rep.crmId), rep);
    if (rep.email) this.byEmail.set(rep.email.trim().toLowerCase(), rep);
    const name = normaliseName(rep.name);
    const same = this.byName.get(name) ?? [];
    if (!same.some((r) => r.crmId === rep.crmId)) this.byName.set(name, [...same, rep]);
  }

  get size(): number {
    return this.byId.size;
  }

  match(value: string): OwnerMatch {
    const text = value.trim();
    const byId = this.byId.get(canonicalCrmId(text)) ?? this.byChecksum(text);
    if (byId) return { found: true, crmId: byId.crmId, by: 'id' };
    const byEmail = this.byEmail.get(text.toLowerCase());
    if (byEmail) return { found: true, crmId: byEmail.crmId, by: 'email' };
    const named = this.byName.get(normaliseName(text)) ?? [];
    if (named.length === 1) return { found: true, crmId: named[0]!.crmId, by: 'name' };
    if (named.length > 1) return { found: false, ambiguous: true, candidates: named };
    const damaged = damageOf(text);
    return damaged ? { found: false, ambiguous: false, damaged } : { found: false, ambiguous: false };
  }

  /** The rep an 18-character Salesforce id names through its checksum (its case restored), if any. */
  private byChecksum(text: string): DirectoryRep | undefined {
    if (!SALESFORCE_18.test(text)) return undefined;
    const id15 = from18(text);
    return id15 === null ? undefined : this.byId.get(to18(id15));
  }
}
