/**
 * Holds an uploaded file between the preview and the apply (a person checks the preview, then applies the
 * same bytes without uploading again): a temp file named by a random token, readable only by the org and
 * user who uploaded it, removed after an hour. Apply also checks the SHA-256, so a swapped file is refused.
 * Limitation: the file lives on the instance that received it (several instances need sticky sessions).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), 'bookshift-uploads');
const TTL_MS = 60 * 60 * 1000;
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export interface StashedUpload {
  token: string;
  name: string;
  bytes: Uint8Array;
  sourceKind: 'upload' | 'google_sheet';
}

interface Meta {
  orgId: string;
  userId: string;
  name: string;
  sourceKind: 'upload' | 'google_sheet';
  at: number;
}

export async function stashUpload(
  owner: { orgId: string; userId: string },
  name: string,
  bytes: Uint8Array,
  sourceKind: 'upload' | 'google_sheet' = 'upload',
): Promise<string> {
  await mkdir(DIR, { recursive: true, mode: 0o700 });
  await sweep();
  const token = randomBytes(24).toString('base64url');
  const meta: Meta = { ...owner, name, sourceKind, at: Date.now() };
  await writeFile(join(DIR, `${token}.bin`), bytes, { mode: 0o600 });
  await writeFile(join(DIR, `${token}.json`), JSON.stringify(meta), { mode: 0o600 });
  return token;
}

/** The stashed file, or null when the token is unknown, expired or belongs to someone else. */
export async function readUpload(
  owner: { orgId: string; userId: string },
  token: string,
): Promise<StashedUpload | null> {
  if (!TOKEN.test(token)) return null;
  try {
    const meta = JSON.parse(await readFile(join(DIR, `${token}.json`), 'utf8')) as Meta;
    if (meta.orgId !== owner.orgId || meta.userId !== owner.userId || Date.now() - meta.at > TTL_MS)
      return null;
    const bytes = new Uint8Array(await readFile(join(DIR, `${token}.bin`)));
    return { token, name: meta.name, bytes, sourceKind: meta.sourceKind };
  } catch {
    return null;
  }
}

/** Removes stashed files older than the TTL (uploads nobody applied). */
async function sweep(): Promise<void> {
  const now = Date.now();
  for (const file of await readdir(DIR).catch(() => [] as string[])) {
    const path = join(DIR, file);
    const info = await stat(path).catch(() => null);
    if (info && now - info.mtimeMs > TTL_MS) await rm(path, { force: true });
  }
}
