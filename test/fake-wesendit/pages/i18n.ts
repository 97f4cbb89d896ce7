/** The fake WeSendit UI's texts in English and German (`?lang=de`). */
export type Lang = 'en' | 'de';

export interface UiText {
  readonly storagesHeading: string;
  readonly createStorage: string;
  readonly creating: string;
  readonly dialogHeading: string;
  readonly onceWarning: string;
  readonly labels: {
    readonly storageName: string;
    readonly permissions: string;
    readonly allowedIps: string;
    readonly serverAddress: string;
    readonly bucketName: string;
    readonly accessKey: string;
    readonly secretKey: string;
  };
  readonly copy: string;
  readonly show: string;
  readonly close: string;
  readonly stored: string;
  readonly continue: string;
  readonly ready: string;
  readonly probe: string;
}

export const UI_TEXT: Record<Lang, UiText> = {
  en: {
    storagesHeading: 'Storages',
    createStorage: 'Create storage',
    creating: 'Creating storage…',
    dialogHeading: 'Your S3 credentials',
    onceWarning: 'Important: The Secret Key is shown to you only once. After closing this dialog, it can neither be viewed again nor recovered.',
    labels: {
      storageName: 'Storage name',
      permissions: 'Permissions',
      allowedIps: 'Allowed IP addresses',
      serverAddress: 'S3 Server Address',
      bucketName: 'S3 API Bucket Name',
      accessKey: 'Access Key',
      secretKey: 'Secret Key',
    },
    copy: 'Copy',
    show: 'Show',
    close: 'Close',
    stored: 'I have stored the keys',
    continue: 'Continue',
    ready: 'Storage ready',
    probe: 'Help',
  },
  de: {
    storagesHeading: 'Speicher',
    createStorage: 'Speicher erstellen',
    creating: 'Speicher wird erstellt…',
    dialogHeading: 'Ihre S3-Zugangsdaten',
    onceWarning: 'Wichtig: Der Secret Key wird Ihnen nur einmal angezeigt. Nach dem Schließen dieses Dialogs kann er weder erneut angezeigt noch wiederhergestellt werden.',
    labels: {
      storageName: 'Speichername',
      permissions: 'Berechtigungen',
      allowedIps: 'Erlaubte IP-Adressen',
      serverAddress: 'S3-Serveradresse',
      bucketName: 'S3-API-Bucket-Name',
      accessKey: 'Zugriffsschlüssel',
      secretKey: 'Geheimer Schlüssel',
    },
    copy: 'Kopieren',
    show: 'Anzeigen',
    close: 'Schließen',
    stored: 'Ich habe die Schlüssel gespeichert',
    continue: 'Weiter',
    ready: 'Speicher bereit',
    probe: 'Hilfe',
  },
};

export function parseLang(value: string | null): Lang {
  return value === 'de' ? 'de' : 'en';
}
