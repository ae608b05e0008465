/**
 * Text encoding of an uploaded file. A byte-order mark decides first: UTF-16 little endian (FF FE, Excel's
 * "Unicode Text" and several CRMs' exports), UTF-16 big endian (FE FF) or UTF-8. Without one: UTF-8 when the
 * bytes are valid UTF-8, otherwise Windows-1252, the superset of Latin-1 that Excel on Windows writes ("€" is
 * 0x80 there, not a control). The CLI (src/cli/csv-rows.ts) reads its files with the same rules.
 */
import iconv from 'iconv-lite';
import { type ImportSource, openSource } from './source.ts';

export type FileEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/** The encoding a byte-order mark at the start of `head` names, or null when it has none. */
export function bomEncoding(head: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * A streaming decoder for Windows-1252 or UTF-16 (a character split between two chunks is kept for the next;
 * a leading BOM is dropped).
 */
export function chunkDecoder(encoding: Exclude<FileEncoding, 'utf-8'>): {
  write(chunk: Uint8Array): string;
  end(): string;
} {
  const decoder = iconv.getDecoder(encoding);
  return {
    write: (chunk) => decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    end: () => decoder.end() ?? '',
  };
}

/** A UTF-16 byte-order mark decides; else the whole source is checked as UTF-8 in a streaming pass. */
export async function detectEncoding(source: ImportSource): Promise<FileEncoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const chunk of openSource(source)) {
      if (first) {
        const bom = bomEncoding(chunk);
        if (bom === 'utf-16le' || bom === 'utf-16be') return bom;
        first = false;
      }
      decoder.decode(chunk, { stream: true });
    }
    decoder.decode();
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/** Decodes a source to text chunks; a leading BOM is dropped here so headers compare cleanly. */
export async function* decodeSource(source: ImportSource, encoding: FileEncoding): AsyncIterable<string> {
  if (encoding === 'utf-8') {
    const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
    for await (const chunk of openSource(source)) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
    return;
  }
  const decoder = chunkDecoder(encoding);
  for await (const chunk of openSource(source)) {
    const text = decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}
