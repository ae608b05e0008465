/** The notices route group: handlers call the outbox verbs and shape rows through the response schemas. */
import * as outbox from '../../../services/after/outbox.ts';
import { assertRunInOrg } from '../../../services/run-records/run-in-org.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  cancelNotice,
  getNotice,
  listNotices,
  listRunNotices,
  NoticeDetailSchema,
  NoticeSchema,
  retryNotice,
} from './notices.routes.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function fields(n: outbox.NoticeRow, configured: boolean) {
  return {
    id: n.id,
    runId: n.runId,
    kind: n.kind,
    recipientEmail: n.recipientEmail,
    recipientName: n.recipientName,
    subject: n.subject,
    status: n.status,
    deliveryNote: outbox.deliveryNote(n, configured),
    attempts: n.attempts,
    nextAttemptAt: n.nextAttemptAt.toISOString(),
    lastError: n.lastError,
    providerId: n.providerId,
    sentAt: iso(n.sentAt),
    cancelledAt: iso(n.cancelledAt),
    createdAt: n.createdAt.toISOString(),
  };
}

export const noticesRouter = createRouter()
  .openapi(listRunNotices, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    await assertRunInOrg({ ctx: orgContext(c), input: { runId: id } });
    const configured = outbox.providerConfigured(c.get('deps').env);
    const out = await outbox.listNotices({ ctx: orgContext(c), input: { ...query, runId: id } });
    return c.json(
      {
        data: out.notices.map((n) => NoticeSchema.parse(fields(n, configured))),
        providerConfigured: configured,
        nextOffset: out.nextOffset,
      },
      200,
    );
  })
  .openapi(listNotices, async (c) => {
    const query = c.req.valid('query');
    const configured = outbox.providerConfigured(c.get('deps').env);
    const out = await outbox.listNotices({ ctx: orgContext(c), input: query });
    return c.json(
      {
        data: out.notices.map((n) => NoticeSchema.parse(fields(n, configured))),
        providerConfigured: configured,
        nextOffset: out.nextOffset,
      },
      200,
    );
  })
  .openapi(getNotice, async (c) => {
    const { id } = c.req.valid('param');
    const n = await outbox.getNotice({ ctx: orgContext(c), input: { id } });
    const configured = outbox.providerConfigured(c.get('deps').env);
    return c.json(NoticeDetailSchema.parse({ ...fields(n, configured), html: n.html, text: n.text }), 200);
  })
  .openapi(retryNotice, async (c) => {
    const { id } = c.req.valid('param');
    const n = await outbox.retryNotice({ ctx: orgContext(c), input: { id } });
    return c.json(NoticeSchema.parse(fields(n, outbox.providerConfigured(c.get('deps').env))), 200);
  })
  .openapi(cancelNotice, async (c) => {
    const { id } = c.req.valid('param');
    const n = await outbox.cancelNotice({ ctx: orgContext(c), input: { id } });
    return c.json(NoticeSchema.parse(fields(n, outbox.providerConfigured(c.get('deps').env))), 200);
  });
