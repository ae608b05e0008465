/**
 * Salesforce record ids: the 15-character id is case-sensitive; the 18-character form appends a 3-character
 * checksum of the capitalisation so case-insensitive tools (Excel, Data Loader lookups) cannot confuse two ids.
 */
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

export function isSalesforceId(id: string): boolean {
  return ID15.test(id) || (ID18.test(id) && to18(id.slice(0, 15)) === id);
}

/** The 18-character id of a 15- or 18-character id; an 18-character id must carry its correct checksum. */
export function to18(id: string): string {
  if (ID18.test(id)) {
    const expected = to18(id.slice(0, 15));
    if (expected.slice(15) !== id.slice(15).toUpperCase()) {
      throw new Error(
        `"${id}" is not a valid Salesforce id: its last three characters should be ${expected.slice(15)}.`,
      );
    }
    return expected;
  }
  if (!ID15.test(id)) throw new Error(`"${id}" is not a Salesforce id (15 or 18 letters and digits).`);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return id + suffix;
}

/**
 * The exact 15-character id an 18-character id names, read from its checksum: each suffix character says which
 * of five characters are upper case, so the id is recovered even when a spreadsheet changed the case of all 18.
 * Null when the checksum cannot belong to the first 15 characters (a suffix character outside A–Z and 0–5 in
 * either case, or one that marks a digit as a capital letter): the id is damaged.
 */
export function from18(id: string): string | null {
  if (!ID18.test(id)) return null;
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(id.charAt(15 + chunk).toUpperCase());
    if (bits < 0) return null;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(chunk * 5 + i);
      const upper = (bits & (1 << i)) !== 0;
      if (upper && !/[a-zA-Z]/.test(c)) return null;
      out += upper ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return out;
}
