/**
 * The latest preview in IndexedDB (background/preview/preview-archive.ts says what it holds and
 * why). One object store, one key: a new preview replaces the last.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ArchivedPreview, PreviewArchive } from '../background/preview/preview-archive.ts';

interface PreviewDatabase extends DBSchema {
  latest: { key: string; value: ArchivedPreview };
}

const DB_VERSION = 1;
const LATEST_KEY = 'latest';

export function createIdbPreviewArchive(dbName = 'connect-guard-previews'): PreviewArchive {
  let opening: Promise<IDBPDatabase<PreviewDatabase>> | undefined;

  function database(): Promise<IDBPDatabase<PreviewDatabase>> {
    opening ??= openDB<PreviewDatabase>(dbName, DB_VERSION, {
      upgrade(db) {
        if (!db.objectStoreNames.contains('latest')) db.createObjectStore('latest');
      },
      blocking() {
        void opening?.then((db) => db.close());
        opening = undefined;
      },
      terminated() {
        opening = undefined;
      },
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  }

  return {
    async save(preview) {
      await (await database()).put('latest', preview, LATEST_KEY);
    },
    async load() {
      return (await database()).get('latest', LATEST_KEY);
    },
  };
}
