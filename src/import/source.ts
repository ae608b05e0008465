/**
 * Where the bytes of an import come from. A source can be read more than once (validation, then writing,
 * then the error file) without holding parsed rows in memory: either a buffer or a re-openable stream.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export type ImportSource =
  | Uint8Array
  | {
      /** Opens a fresh stream of the same bytes each time it is called. */
      open(): AsyncIterable<Uint8Array>;
      /** Size in bytes when known (used for progress). */
      sizeBytes?: number;
    };

export async function* openSource(source: ImportSource, chunkBytes = 64 * 1024): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    // Feed a buffer in chunks too, so the parser never sees one giant string.
    for (let i = 0; i < source.length; i += chunkBytes) yield source.subarray(i, i + chunkBytes);
    return;
  }
  yield* source.open();
}

/** A file on disk as a source (CLI and benchmarks): bytes are streamed, never loaded whole. */
export async function fileSource(path: string): Promise<ImportSource> {
  const { size } = await stat(path);
  return { open: () => createReadStream(path, { highWaterMark: 64 * 1024 }), sizeBytes: size };
}
