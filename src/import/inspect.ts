/**
 * One streaming pass over the raw bytes: size, SHA-256 (the file's identity for snapshots and re-import
 * detection), encoding (decode.ts: UTF-16 by its byte-order mark, else UTF-8 or the Windows-1252 fallback) and
 * the field delimiter of the header line.
 */
import { createHash } from 'node:crypto';
import { bomEncoding, chunkDecoder, type FileEncoding } from './decode.ts';
import { type ImportSource, openSource } from './source.ts';

export interface SourceInfo {
  bytes: number;
  sha256: string;
  encoding: FileEncoding;
  delimiter: ',' | ';' | '\t' | '|';
}

export async function inspectSource(source: ImportSource): Promise<SourceInfo> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let utf8 = true;
  let bytes = 0;
  const head: Uint8Array[] = [];
  let headBytes = 0;
  for await (const chunk of openSource(source)) {
    hash.update(chunk);
    bytes += chunk.length;
    if (headBytes < 64 * 1024) {
      head.push(chunk);
      headBytes += chunk.length;
    }
    if (utf8) {
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        utf8 = false;
      }
    }
  }
  if (utf8) {
    try {
      decoder.decode();
    } catch {
      utf8 = false;
    }
  }
  const headBytesAll = Buffer.concat(head);
  const bom = bomEncoding(headBytesAll);
  const encoding: FileEncoding =
    bom === 'utf-16le' || bom === 'utf-16be' ? bom : utf8 ? 'utf-8' : 'windows-1252';
  const headText =
    encoding === 'utf-8'
      ? new TextDecoder('utf-8').decode(headBytesAll)
      : chunkDecoder(encoding).write(headBytesAll);
  return { bytes, sha256: hash.digest('hex'), encoding, delimiter: sniffDelimiter(headText) };
}

/** The delimiter used most on the header line, counting only outside quotes; ',' when unsure. */
export function sniffDelimiter(text: string): SourceInfo['delimiter'] {
  const counts = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts] += 1;
  }
  const best = (Object.entries(counts) as [SourceInfo['delimiter'], number][]).sort(
    (a, b) => b[1] - a[1],
  )[0]!;
  return best[1] > counts[','] ? best[0] : ',';
}
