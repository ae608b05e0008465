/** /v1/docs: the API reference page, rendered from the live OpenAPI document. */
import { Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { type AppOpenAPI, openApiDocument } from '../../api/openapi.ts';
import { renderPage } from '../layout.tsx';
import { ReferenceContent } from './reference-page.tsx';

export function docsPages(app: AppOpenAPI) {
  const router = new Hono<AppBindings>();
  router.get('/v1/docs', (c) => {
    const doc = openApiDocument(app, new URL(c.req.url).origin);
    return renderPage(c, 'API reference', <ReferenceContent doc={doc} />);
  });
  return router;
}
