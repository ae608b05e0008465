/** What every export format is made from: a line of the change set (owner and split, before and after) and a file. */

export interface ExportOwner {
  /** The owner's id in the CRM (Salesforce user id, HubSpot owner id, Dynamics systemuser GUID). */
  crmUserId: string | null;
  email: string | null;
  name: string;
  /** House (the company itself): its split share is the remainder where the CRM has no House user. */
  isHouse?: boolean;
  /** House, with crmUserId set to the org's House user of the CRM being written (exports/house-users.ts). */
  houseUser?: boolean;
}

export interface ExportSplitParticipant {
  owner: ExportOwner;
  bps: number;
  /**
   * The Salesforce Id of the existing OpportunitySplit record, needed to delete it. The book import does not carry
   * it today (commission_splits has no CRM id), so the Salesforce note explains how to find the records instead.
   */
  crmSplitId?: string | null;
}

export interface ExportLine {
  batchId: string;
  changeId: string;
  object: 'account' | 'opportunity' | 'opportunity_split';
  recordId: string;
  recordName: string;
  oldOwner: ExportOwner | null;
  newOwner: ExportOwner;
  effectiveDate: string;
  reason: string;
  strategy: string;
  conflicts: string;
  approvedBy: string;
  approvedAt: string;
  /** For opportunity_split lines: the structure before and after. */
  splitBefore?: ExportSplitParticipant[];
  splitAfter?: ExportSplitParticipant[];
}

export interface ExportFile {
  name: string;
  contentType: 'text/csv' | 'text/plain';
  body: string;
  /** A CSV file: its rows after the header. */
  rows?: number;
  /** A read-me: the changes of the run its format's files leave out (each listed with its reason). */
  leftOut?: number;
}
