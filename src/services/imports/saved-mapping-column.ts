/** `column_mappings.mapping` parsed once where a saved mapping is read: the import's column mapping as it was saved. */

import { type ColumnMapping, columnMappingSchema } from '../../import/mapping.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';

export const parseSavedMapping = (value: unknown, rowId: string): ColumnMapping =>
  parseJsonColumn(columnMappingSchema, value, { table: 'column_mappings', column: 'mapping', rowId });
