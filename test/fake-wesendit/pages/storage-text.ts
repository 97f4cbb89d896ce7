/** Texts of the fake WeSendit UI's storage screens (API Keys and Connection, files, connect form), EN and DE. */
import type { Lang } from './i18n.ts';

export interface StorageText {
  readonly settings: string;
  readonly apiKeysHeading: string;
  readonly columns: {
    readonly name: string;
    readonly provider: string;
    readonly region: string;
    readonly spaceUsed: string;
    readonly filesAndFolders: string;
    readonly shareStatus: string;
    readonly s3Connection: string;
  };
  readonly notConnected: string;
  readonly connectedTo: string;
  readonly filesFolders: (files: string, folders: string) => string;
  readonly browseFiles: string;
  readonly connectBucket: string;
  readonly files: string;
  readonly filesHeading: string;
  readonly fileColumns: { readonly name: string; readonly size: string; readonly modified: string; readonly md5: string };
  readonly folder: string;
  readonly emptyFolder: string;
  readonly next: string;
  readonly previous: string;
  /** "1–50 of 100,000" */
  readonly range: (from: string, to: string, total: string) => string;
  readonly connectHeading: string;
  readonly connectIntro: string;
  readonly fields: {
    readonly provider: string;
    readonly endpoint: string;
    readonly region: string;
    readonly regionOptional: string;
    readonly bucket: string;
    readonly accessKey: string;
    readonly secretKey: string;
  };
  readonly placeholders: { readonly endpoint: string; readonly region: string; readonly bucket: string };
  readonly otherS3: string;
  readonly connect: string;
  readonly connecting: string;
  readonly connectFailed: string;
  readonly backToSettings: string;
  readonly numberLocale: string;
}

export const STORAGE_TEXT: Record<Lang, StorageText> = {
  en: {
    settings: 'Settings',
    apiKeysHeading: 'API Keys and Connection',
    columns: {
      name: 'Name',
      provider: 'Storage provider',
      region: 'Region',
      spaceUsed: 'Space used',
      filesAndFolders: 'Files and folders',
      shareStatus: 'Share status',
      s3Connection: 'S3 connection',
    },
    notConnected: 'Not connected',
    connectedTo: 'Connected to',
    filesFolders: (files, folders) => `${files} files, ${folders} folders`,
    browseFiles: 'Browse files',
    connectBucket: 'Connect to bucket',
    files: 'Files',
    filesHeading: 'Files',
    fileColumns: { name: 'Name', size: 'Size', modified: 'Modified', md5: 'MD5' },
    folder: 'Folder',
    emptyFolder: 'This folder is empty.',
    next: 'Next',
    previous: 'Previous',
    range: (from, to, total) => `${from}–${to} of ${total}`,
    connectHeading: 'Connect storage to a bucket',
    connectIntro: 'WeSendit syncs this storage with the bucket: files from both sides are merged.',
    fields: {
      provider: 'Storage provider',
      endpoint: 'S3 endpoint',
      region: 'Region',
      regionOptional: 'Region (optional)',
      bucket: 'Bucket name',
      accessKey: 'Access key ID',
      secretKey: 'Secret access key',
    },
    placeholders: { endpoint: 'https://s3.example.com', region: 'eu-central-1', bucket: 'my-bucket' },
    otherS3: 'Other S3',
    connect: 'Connect',
    connecting: 'Connecting…',
    connectFailed: 'Connecting failed: ',
    backToSettings: 'API Keys and Connection',
    numberLocale: 'en-US',
  },
  de: {
    settings: 'Einstellungen',
    apiKeysHeading: 'API-Schlüssel und Verbindung',
    columns: {
      name: 'Name',
      provider: 'Speicheranbieter',
      region: 'Region',
      spaceUsed: 'Belegter Speicher',
      filesAndFolders: 'Dateien und Ordner',
      shareStatus: 'Freigabestatus',
      s3Connection: 'S3-Verbindung',
    },
    notConnected: 'Nicht verbunden',
    connectedTo: 'Verbunden mit',
    filesFolders: (files, folders) => `${files} Dateien, ${folders} Ordner`,
    browseFiles: 'Dateien durchsuchen',
    connectBucket: 'Mit Bucket verbinden',
    files: 'Dateien',
    filesHeading: 'Dateien',
    fileColumns: { name: 'Name', size: 'Größe', modified: 'Geändert', md5: 'MD5' },
    folder: 'Ordner',
    emptyFolder: 'Dieser Ordner ist leer.',
    next: 'Weiter',
    previous: 'Zurück',
    range: (from, to, total) => `${from}–${to} von ${total}`,
    connectHeading: 'Speicher mit einem Bucket verbinden',
    connectIntro: 'WeSendit synchronisiert diesen Speicher mit dem Bucket: Dateien beider Seiten werden zusammengeführt.',
    fields: {
      provider: 'Speicheranbieter',
      endpoint: 'S3-Endpunkt',
      region: 'Region',
      regionOptional: 'Region (optional)',
      bucket: 'Bucket-Name',
      accessKey: 'Zugriffsschlüssel-ID',
      secretKey: 'Geheimer Zugriffsschlüssel',
    },
    placeholders: { endpoint: 'https://s3.example.com', region: 'eu-central-1', bucket: 'mein-bucket' },
    otherS3: 'Anderer S3-Dienst',
    connect: 'Verbinden',
    connecting: 'Wird verbunden…',
    connectFailed: 'Verbinden fehlgeschlagen: ',
    backToSettings: 'API-Schlüssel und Verbindung',
    numberLocale: 'de-DE',
  },
};
