/**
 * Matches an owner cell to a rep of the roster: by CRM user id, then e-mail, then exact name. A name two
 * reps share is ambiguous and reported with the candidates; it is never resolved by guessing.
 */
import { canonicalCrmId } from './crm-id.ts';

export interface DirectoryRep {
  crmId: string;
  email?: string | null;
  name: string;
}

export type OwnerMatch =
  | { found: true; crmId: string; by: 'id' | 'email' | 'name' }
  | { found: false; ambiguous: false }
  | { found: false; ambiguous: true; candidates: DirectoryRep[] };

// Salesforce ids come as 15 case-sensitive characters or 18 with a 3-letter checksum; both name one user.
const SALESFORCE_18 = /^[a-zA-Z0-9]{15}[A-Z0-5]{3}$/;
const salesforce15 = (id: string) => (SALESFORCE_18.test(id) ? id.slice(0, 15) : null);
const normaliseName = (name: string) => name.trim().replace(/\s+/g, ' ');

export class OwnerDirectory {
  private readonly byId = new Map<string, DirectoryRep>();
  private readonly byShortId = new Map<string, DirectoryRep>();
  private readonly byEmail = new Map<string, DirectoryRep>();
  private readonly byName = new Map<string, DirectoryRep[]>();

  constructor(reps: Iterable<DirectoryRep> = []) {
    for (const rep of reps) this.add(rep);
  }

  add(rep: DirectoryRep): void {
    this.byId.set(canonicalCrmId(rep.crmId), rep);
    const short = salesforce15(rep.crmId);
    if (short) this.byShortId.set(short, rep);
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
    const byId = this.byId.get(canonicalCrmId(text)) ?? this.byShortId.get(salesforce15(text) ?? text);
    if (byId) return { found: true, crmId: byId.crmId, by: 'id' };
    const byEmail = this.byEmail.get(text.toLowerCase());
    if (byEmail) return { found: true, crmId: byEmail.crmId, by: 'email' };
    const named = this.byName.get(normaliseName(text)) ?? [];
    if (named.length === 1) return { found: true, crmId: named[0]!.crmId, by: 'name' };
    if (named.length > 1) return { found: false, ambiguous: true, candidates: named };
    return { found: false, ambiguous: false };
  }
}
