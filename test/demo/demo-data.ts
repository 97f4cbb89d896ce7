/**
 * The demo's two sides: a WeSendit storage ("NAS backup") and an S3 bucket that already holds a
 * NAS's files. They overlap the way a real first connect does: some files are the same on both
 * sides, some differ (the bucket's copy newer or older), and each side has files of its own.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FakeFileSpec } from '../fake-wesendit/fake-storage.ts';
import { generatedContent } from '../fake-wesendit/fake-storage.ts';

export const DEMO_BUCKET = 'usr-48291-itm-00384-nas-to-wsi-backup';
export const DEMO_STORAGE = 'st-nas';
/** The storage's name in WeSendit, and so in the credentials view and the vault. */
export const DEMO_STORAGE_NAME = 'NAS backup';

interface DemoFile {
  readonly key: string;
  readonly size: number;
  readonly lastModified: string;
  readonly seed: string;
}

const STORAGE_SEED = 'wesendit';
const BUCKET_SEED = 'bucket';

function day(n: number): string {
  return new Date(Date.UTC(2026, 0, 1 + n, 9, 30)).toISOString();
}

/** Files in WeSendit: photos, documents and a few the bucket also holds. */
function storageFiles(): DemoFile[] {
  const files: DemoFile[] = [];
  for (let i = 0; i < 24; i++) files.push({ key: `Photos/2025/IMG_${String(4100 + i)}.jpg`, size: 40_000 + i * 1_500, lastModified: day(i), seed: STORAGE_SEED });
  for (let i = 0; i < 12; i++) files.push({ key: `Documents/Invoices/invoice-2025-${String(i + 1).padStart(2, '0')}.pdf`, size: 12_000 + i * 300, lastModified: day(40 + i), seed: STORAGE_SEED });
  for (let i = 0; i < 8; i++) files.push({ key: `Documents/Contracts/contract-${i + 1}.pdf`, size: 30_000 + i * 700, lastModified: day(60 + i), seed: STORAGE_SEED });
  files.push({ key: 'Documents/Straße & Café plan.odt', size: 9_000, lastModified: day(70), seed: STORAGE_SEED });
  files.push({ key: 'Notes/todo.txt', size: 800, lastModified: day(90), seed: STORAGE_SEED });
  return files;
}

/**
 * The bucket: the first 10 photos and every invoice byte for byte (same); contracts 1–4 and the
 * to-do note with other bytes (conflicts: S3 stamps the upload time, so the bucket's copies are the
 * newer ones, and "WeSendit wins" overwrites them); NAS-only music and config.
 */
function bucketFiles(storage: readonly DemoFile[]): DemoFile[] {
  const files: DemoFile[] = [];
  for (const file of storage) {
    const photo = /IMG_(\d+)/.exec(file.key);
    if (photo && Number(photo[1]) < 4110) files.push(file);
    else if (file.key.startsWith('Documents/Invoices/')) files.push(file);
    const contract = /contract-(\d)\.pdf$/.exec(file.key);
    if (contract && Number(contract[1]) <= 4) files.push({ key: file.key, size: file.size + 2_048, lastModified: day(200), seed: BUCKET_SEED });
  }
  for (let i = 0; i < 16; i++) files.push({ key: `nas/home/alex/Music/track-${String(i + 1).padStart(2, '0')}.flac`, size: 90_000 + i * 4_000, lastModified: day(10), seed: BUCKET_SEED });
  files.push({ key: 'nas/config/backup-job.json', size: 1_200, lastModified: day(5), seed: BUCKET_SEED });
  files.push({ key: 'Notes/todo.txt', size: 800, lastModified: day(95), seed: BUCKET_SEED });
  return files;
}

export interface DemoData {
  readonly storage: readonly FakeFileSpec[];
  readonly bucket: readonly DemoFile[];
}

export function demoData(): DemoData {
  const storage = storageFiles();
  return {
    storage: storage.map((file) => ({ key: file.key, size: file.size, seed: file.seed, lastModified: file.lastModified })),
    bucket: bucketFiles(storage),
  };
}

/** Puts the bucket's files (the S3 server sets its own Last-Modified: upload time). */
export async function seedDemoBucket(client: S3Client, files: readonly DemoFile[]): Promise<void> {
  for (let i = 0; i < files.length; i += 16) {
    await Promise.all(
      files.slice(i, i + 16).map((file) =>
        client.send(new PutObjectCommand({ Bucket: DEMO_BUCKET, Key: file.key, Body: generatedContent(file.key, file.size, file.seed) })),
      ),
    );
  }
}
