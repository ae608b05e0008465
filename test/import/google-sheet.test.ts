import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSheetCsv, sheetExportUrl } from '../../src/import/google-sheet.ts';
import { ImportFileError } from '../../src/import/import-file-error.ts';

const ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

describe('sheetExportUrl', () => {
  it.each([
    [
      `https://docs.google.com/spreadsheets/d/${ID}/edit#gid=123`,
      `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=123`,
    ],
    [
      `https://docs.google.com/spreadsheets/d/${ID}/edit?usp=sharing`,
      `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv`,
    ],
    [
      `https://docs.google.com/spreadsheets/d/${ID}/edit?gid=7#gid=7`,
      `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=7`,
    ],
    [
      `https://docs.google.com/spreadsheets/d/${ID}`,
      `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv`,
    ],
    [
      `https://docs.google.com/spreadsheets/d/e/${ID}/pubhtml?gid=5`,
      `https://docs.google.com/spreadsheets/d/e/${ID}/pub?output=csv&gid=5&single=true`,
    ],
  ])('%s', (link, url) => {
    expect(sheetExportUrl(link)).toBe(url);
  });

  it.each([
    'https://evil.example/spreadsheets/d/abcdefghijkl/edit',
    'http://docs.google.com/spreadsheets/d/abcdefghijkl',
    'not a link',
    'https://docs.google.com.evil.example/spreadsheets/d/abcdefghijkl',
  ])('refuses %s', (link) => {
    expect(() => sheetExportUrl(link)).toThrow(ImportFileError);
  });
});

describe('fetchSheetCsv (from a local server standing in for Google)', () => {
  let server: Server;
  let origin: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url?.includes('private')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
      } else if (req.url?.includes('huge')) {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end('x'.repeat(10_000));
      } else if (req.url?.includes('slow')) {
        setTimeout(() => res.writeHead(200).end('a\n1\n'), 2000);
      } else if (req.url?.includes('gone')) {
        res.writeHead(404).end();
      } else {
        res
          .writeHead(200, { 'content-type': 'text/csv; charset=utf-8' })
          .end('account_id,account_name\nA1,Acme\n');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const link = (id: string) => `https://docs.google.com/spreadsheets/d/${id}/edit#gid=42`;

  it('downloads the export of the linked tab', async () => {
    const bytes = await fetchSheetCsv(link('sheet0123456789'), { maxBytes: 1000, origin });
    expect(new TextDecoder().decode(bytes)).toBe('account_id,account_name\nA1,Acme\n');
    expect(seen.at(-1)).toBe('/spreadsheets/d/sheet0123456789/export?format=csv&gid=42');
  });

  it('explains a sheet that is not shared, or gone', async () => {
    await expect(fetchSheetCsv(link('private0123456'), { maxBytes: 1000, origin })).rejects.toThrow(
      /not shared/,
    );
    await expect(fetchSheetCsv(link('gone0123456789'), { maxBytes: 1000, origin })).rejects.toThrow(
      /not shared/,
    );
  });

  it('stops at the size cap with a 413 error', async () => {
    const error = await fetchSheetCsv(link('huge0123456789'), { maxBytes: 1000, origin }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).status).toBe(413);
  });

  it('gives up after the timeout', async () => {
    await expect(
      fetchSheetCsv(link('slow0123456789'), { maxBytes: 1000, origin, timeoutMs: 200 }),
    ).rejects.toThrow(/too long/);
  });
});
