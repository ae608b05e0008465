/**
 * The House user of each CRM (an org setting): the CRM user that holds House's share and House's records. With it
 * set, a change that goes to House is a row of that CRM's files like any other; without it, Salesforce takes
 * House's split share as the remainder and the other changes to House are listed in the read-me.
 */
import type { ExportLine, ExportOwner, ExportSplitParticipant } from './formats.ts';
import { isSalesforceId, to18 } from './salesforce-id.ts';

export const HOUSE_CRMS = ['salesforce', 'hubspot', 'dynamics'] as const;
export type HouseCrm = (typeof HOUSE_CRMS)[number];
export type HouseUserIds = Partial<Record<HouseCrm, string>>;

const HUBSPOT_OWNER = /^\d{1,20}$/;
const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** What each CRM's user id looks like, in the words an error uses. */
export const HOUSE_ID_FORMS: Record<HouseCrm, string> = {
  salesforce: 'a Salesforce user id: 15 or 18 letters and digits starting 005, such as 0055g00000HouseAAB',
  hubspot: 'a HubSpot owner id: digits only, such as 41234570',
  dynamics: 'a Dynamics 365 systemuser GUID, such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
};

/**
 * The stored form of a House user id (Salesforce: 18 characters; Dynamics: bare lower-case GUID; HubSpot: the
 * digits), or an error sentence saying what the CRM's user ids look like.
 */
export function canonicalHouseUserId(
  crm: HouseCrm,
  raw: string,
): { ok: true; id: string } | { ok: false; message: string } {
  const id = raw.trim();
  const refuse = (why: string) => ({
    ok: false as const,
    message: `"${id}" ${why}; give ${HOUSE_ID_FORMS[crm]}, or leave it empty.`,
  });
  switch (crm) {
    case 'salesforce':
      if (!isSalesforceId(id))
        return refuse('is not a Salesforce id (or its last three characters are wrong)');
      if (!id.startsWith('005')) return refuse('is not a Salesforce user id (user ids start 005)');
      return { ok: true, id: to18(id) };
    case 'hubspot':
      return HUBSPOT_OWNER.test(id) ? { ok: true, id } : refuse('is not a HubSpot owner id');
    case 'dynamics': {
      const guid = GUID.exec(id);
      return guid ? { ok: true, id: guid[1]!.toLowerCase() } : refuse('is not a GUID');
    }
  }
}

const asHouseUser = (owner: ExportOwner, id: string): ExportOwner =>
  owner.isHouse ? { ...owner, crmUserId: id, houseUser: true } : owner;

/** The lines with House (owner and split participant) given the CRM's House user id, when one is set. */
export function withHouseUser(lines: readonly ExportLine[], id: string | undefined): ExportLine[] {
  if (!id) return [...lines];
  const parts = (list: ExportSplitParticipant[] | undefined) =>
    list?.map((p) => ({ ...p, owner: asHouseUser(p.owner, id) }));
  return lines.map((l) => ({
    ...l,
    oldOwner: l.oldOwner && asHouseUser(l.oldOwner, id),
    newOwner: asHouseUser(l.newOwner, id),
    ...(l.splitBefore ? { splitBefore: parts(l.splitBefore) } : {}),
    ...(l.splitAfter ? { splitAfter: parts(l.splitAfter) } : {}),
  }));
}
