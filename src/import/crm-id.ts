/**
 * One record, one identity: the canonical form a CRM id is stored and matched in.
 * - Salesforce: the 15-character (case-sensitive, report exports) and 18-character (Data Loader, API) ids
 *   of a record are one id; stored as the 18-character form, whose checksum suffix is case-insensitive.
 * - Dynamics 365: GUIDs, written with or without braces and in either case; stored lower case, bare.
 * - HubSpot record ids and any other id: trimmed, otherwise as written.
 * A 15-character id counts as Salesforce's only if it has a letter (a HubSpot id is all digits); an
 * 18-character one only if its checksum is right, so another system's 18-character ids stay as they are.
 */
import { to18 } from '../exports/salesforce-id.ts';

const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;
const LETTER = /[a-zA-Z]/;
const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

export function canonicalCrmId(raw: string): string {
  const id = raw.trim();
  if (ID15.test(id) && LETTER.test(id)) return to18(id);
  if (ID18.test(id) && LETTER.test(id)) {
    const canonical = to18(id.slice(0, 15));
    if (canonical.slice(15) === id.slice(15).toUpperCase()) return canonical;
    return id;
  }
  const guid = GUID.exec(id);
  if (guid) return guid[1]!.toLowerCase();
  return id;
}
