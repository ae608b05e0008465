/** File downloads of the API: the headers a handler sends with a file, and the same headers as the document declares them. */
import { z } from '@hono/zod-openapi';

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** What every download sends besides its body: a file name, and no caching of what may be personal data. */
export function downloadHeaders(filename: string, contentType: string) {
  return {
    'Content-Type': contentType,
    'Content-Disposition': attachment(filename),
    'Cache-Control': 'no-store',
  };
}

/** The headers of downloadHeaders as a response declares them. */
export function documentedDownloadHeaders(example: string) {
  return z.object({
    'Content-Disposition': z.string().openapi({
      description: 'attachment, with the file name (ASCII, and UTF-8 as filename*).',
      example: attachment(example),
    }),
    'Cache-Control': z
      .literal('no-store')
      .openapi({ description: 'Files are never cached: they may hold personal data.' }),
  });
}
