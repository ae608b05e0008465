/**
 * `opportunities.custom` parsed once where an import reads the opportunities: the term a file gave the opportunity
 * (`start_date`, `end_date`, ISO dates), as write-book.ts writes them; `{}` when the file gave none.
 */
import { z } from 'zod';
import type { OpportunityCustomColumn } from '../../../db/schema/index.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';

const opportunityCustomColumn = z.looseObject({
  start_date: z.iso.date().optional(),
  end_date: z.iso.date().optional(),
});

export const parseOpportunityCustom = (value: unknown, opportunityId: string): OpportunityCustomColumn =>
  parseJsonColumn(opportunityCustomColumn, value, {
    table: 'opportunities',
    column: 'custom',
    rowId: opportunityId,
  });
