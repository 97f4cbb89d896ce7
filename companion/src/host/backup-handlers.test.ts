import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { BACKUP_ROOT_ENV, backupRoot } from './backup-handlers.ts';

describe('backupRoot', () => {
  it('takes the request’s root first, then the environment, then ~/ConnectGuard/backups', () => {
    expect(backupRoot('/data/backups', { [BACKUP_ROOT_ENV]: '/env/backups' })).toBe('/data/backups');
    expect(backupRoot(undefined, { [BACKUP_ROOT_ENV]: '/env/backups' })).toBe('/env/backups');
    expect(backupRoot(undefined, { [BACKUP_ROOT_ENV]: '  ' })).toBe(join(homedir(), 'ConnectGuard', 'backups'));
    expect(backupRoot(undefined, {})).toBe(join(homedir(), 'ConnectGuard', 'backups'));
  });

  it('refuses a relative folder, naming where it came from', () => {
    expect(() => backupRoot('backups', {})).toThrow(ConnectGuardError);
    expect(() => backupRoot('backups', {})).toThrow(/"root" must be an absolute folder path/);
    expect(() => backupRoot(undefined, { [BACKUP_ROOT_ENV]: 'relative/backups' })).toThrow(new RegExp(`"${BACKUP_ROOT_ENV}" must be an absolute`));
  });
});
