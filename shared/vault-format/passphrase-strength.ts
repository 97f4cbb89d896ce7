/**
 * Passphrase policy for a new vault or a passphrase change, and a quick strength estimate for the
 * UI's hint. The estimate is deliberately simple (length, variety, obvious patterns); Argon2id
 * at 64 MiB makes each guess expensive, so length matters most.
 */
import { ConnectGuardError } from '../errors.ts';

/** Shortest passphrase accepted, counted in characters (code points). */
export const MIN_PASSPHRASE_LENGTH = 10;

/** 0 = very weak … 4 = strong, with one sentence the UI can show beside the field. */
export interface PassphraseStrength {
  readonly score: 0 | 1 | 2 | 3 | 4;
  readonly hint: string;
}

const COMMON_WORDS = ['password', 'passwort', 'passphrase', 'wesendit', 'qwert', 'asdf', 'letmein', 'welcome', 'admin', 'secret', 'geheim', '12345', 'abc123', 'iloveyou'];

function hasSequence(text: string): boolean {
  const lower = text.toLowerCase();
  for (let i = 0; i + 3 < lower.length; i++) {
    const a = lower.charCodeAt(i);
    const up = [1, 2, 3].every((k) => lower.charCodeAt(i + k) === a + k);
    const down = [1, 2, 3].every((k) => lower.charCodeAt(i + k) === a - k);
    if (up || down) return true;
  }
  return false;
}

function clampScore(points: number): 1 | 2 | 3 | 4 {
  if (points >= 4) return 4;
  if (points === 3) return 3;
  if (points === 2) return 2;
  return 1;
}

/** Estimates how hard a passphrase is to guess. Pure; never throws. */
export function estimatePassphraseStrength(passphrase: string): PassphraseStrength {
  const chars = [...passphrase];
  const length = chars.length;
  if (length === 0) return { score: 0, hint: `Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.` };
  if (length < MIN_PASSPHRASE_LENGTH) {
    return { score: 0, hint: `Too short: use at least ${MIN_PASSPHRASE_LENGTH} characters (${length} now).` };
  }
  const unique = new Set(chars).size;
  if (unique <= 3) return { score: 0, hint: 'Too repetitive: use several different words.' };

  const lower = passphrase.toLowerCase();
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9\s]/].filter((re) => re.test(passphrase)).length + (/[\u0080-\u{10FFFF}]/u.test(passphrase) ? 1 : 0);
  const words = passphrase.split(/[\s\-_.,;:]+/).filter((w) => w.length >= 2).length;
  let points = 0;
  if (length >= 14) points++;
  if (length >= 20) points++;
  if (length >= 28) points++;
  if (classes >= 3) points++;
  if (words >= 4) points++;
  if (unique < length / 3) points--;
  const common = COMMON_WORDS.some((word) => lower.includes(word));
  if (common) points -= 2;
  if (hasSequence(passphrase)) points--;
  const score = clampScore(common ? Math.min(points, 1) : points);
  if (common) return { score, hint: 'Contains a common word or keyboard pattern: add unrelated words.' };
  const hints: Record<PassphraseStrength['score'], string> = {
    0: 'Too weak.',
    1: 'Weak: add more words — four or more unrelated words are easy to remember and hard to guess.',
    2: 'Fair: one or two more unrelated words make it much stronger.',
    3: 'Good.',
    4: 'Strong.',
  };
  return { score, hint: hints[score] };
}

/**
 * Throws WEAK_PASSPHRASE when a passphrase may not protect a vault: shorter than
 * MIN_PASSPHRASE_LENGTH characters or a single repeated pattern.
 */
export function assertPassphraseAcceptable(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string') throw new ConnectGuardError('INVALID_INPUT', 'Enter a passphrase.');
  const length = [...passphrase].length;
  if (length < MIN_PASSPHRASE_LENGTH) {
    throw new ConnectGuardError(
      'WEAK_PASSPHRASE',
      `The passphrase is too short (${length} characters). Use at least ${MIN_PASSPHRASE_LENGTH} characters — a few unrelated words work well.`,
    );
  }
  if (new Set(passphrase).size <= 3) {
    throw new ConnectGuardError('WEAK_PASSPHRASE', 'The passphrase repeats the same few characters. Use a few unrelated words instead.');
  }
}
