/** The audit route group. */
import * as trail from '../../../services/audit/audit-trail.ts';
import { assertRunInOrg } from '../../../services/run-records/run-in-org.ts';
import { downloadHeaders } from '../../downloads.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  AuditEventSchema,
  AuditVerificationSchema,
  exportAudit,
  listAuditEvents,
  listRunAuditEvents,
  verifyAudit,
} from './audit.routes.ts';

function eventJson(e: trail.AuditEventRecord) {
  return AuditEventSchema.parse({ ...e, at: e.at.toISOString() });
}

export const auditRouter = createRouter()
  .openapi(listAuditEvents, async (c) => {
    const out = await trail.listAuditEvents({ ctx: orgContext(c), input: c.req.valid('query') });
    return c.json({ data: out.events.map(eventJson), nextAfterSeq: out.nextAfterSeq }, 200);
  })
  .openapi(listRunAuditEvents, async (c) => {
    const { id } = c.req.valid('param');
    await assertRunInOrg({ ctx: orgContext(c), input: { runId: id } });
    const out = await trail.listAuditEvents({
      ctx: orgContext(c),
      input: { ...c.req.valid('query'), runId: id },
    });
    return c.json({ data: out.events.map(eventJson), nextAfterSeq: out.nextAfterSeq }, 200);
  })
  .openapi(verifyAudit, async (c) => {
    const result = await trail.verifyOrgAuditChain({ ctx: orgContext(c) });
    return c.json(
      AuditVerificationSchema.parse({
        ok: result.ok,
        checked: result.checked,
        firstBadSeq: result.firstBadSeq ?? null,
        reason: result.reason ?? null,
      }),
      200,
    );
  })
  .openapi(exportAudit, async (c) => {
    const file = await trail.exportAuditTrail({ ctx: orgContext(c), input: c.req.valid('query') });
    return c.body(
      file.body,
      200,
      downloadHeaders(file.filename, `${file.contentType}; charset=utf-8`),
    ) as never;
  });
