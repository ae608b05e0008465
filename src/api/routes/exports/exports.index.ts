/** The exports route group: downloads (with Content-Disposition) and the custom layout. */

import type { HouseUserIds } from '../../../exports/house-users.ts';
import { getCustomLayout, saveCustomLayout } from '../../../services/after/custom-layout.ts';
import { getHouseUsers, saveHouseUsers } from '../../../services/after/house-users.ts';
import { exportRun } from '../../../services/after/run-exports.ts';
import { downloadHeaders } from '../../downloads.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  downloadRunExport,
  getExportLayout,
  getHouseUsersRoute,
  putExportLayout,
  putHouseUsersRoute,
} from './exports.routes.ts';

const houseUsersBody = (ids: HouseUserIds) => ({
  salesforce: ids.salesforce ?? null,
  hubspot: ids.hubspot ?? null,
  dynamics: ids.dynamics ?? null,
});

export const exportsRouter = createRouter()
  .openapi(downloadRunExport, async (c) => {
    const { id, format } = c.req.valid('param');
    const { file } = c.req.valid('query');
    const out = await exportRun({ ctx: orgContext(c), input: { runId: id, format, file } });
    return c.body(out.body, 200, downloadHeaders(out.filename, out.contentType)) as never;
  })
  .openapi(getExportLayout, async (c) => {
    const layout = await getCustomLayout({ ctx: orgContext(c) });
    return c.json({ layout }, 200);
  })
  .openapi(putExportLayout, async (c) => {
    const layout = await saveCustomLayout({ ctx: orgContext(c), input: c.req.valid('json') });
    return c.json({ layout }, 200);
  })
  .openapi(getHouseUsersRoute, async (c) => {
    return c.json(houseUsersBody(await getHouseUsers({ ctx: orgContext(c) })), 200);
  })
  .openapi(putHouseUsersRoute, async (c) => {
    const saved = await saveHouseUsers({ ctx: orgContext(c), input: c.req.valid('json') });
    return c.json(houseUsersBody(saved), 200);
  });
