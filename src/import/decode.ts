/**
 * Text encoding of an uploaded file: UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise
 * Windows-1252, the superset of Latin-1 that Excel on Windows writes ("€" is 0x80 there, not a control).
 */
import iconv from 'iconv-lite';
import { type ImportSource, openSource } from './source.ts';

export type FileEncoding = 'utf-8' | 'windows-1252';

/** Checks the whole source as UTF-8 in a streaming pass (nothing kept but the decoder state). */
export async function detectEncoding(source: ImportSource): Promise<FileEncoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of openSource(source)) decoder.decode(chunk, { stream: true });
    decoder.decode();
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/** Decodes a source to text chunks; a leading UTF-8 BOM is dropped here so headers compare cleanly. */
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
  const decoder = iconv.getDecoder('windows-1252');
  for await (const chunk of openSource(source)) {
    const text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}
