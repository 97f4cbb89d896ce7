import { ConnectGuardError } from '../../../shared/errors.ts';

/** The parts of a TTY input stream a hidden prompt needs (process.stdin fits). */
export interface HiddenInput {
  readonly isTTY?: boolean;
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PromptOutput {
  write(text: string): unknown;
}

/**
 * Asks for a line without echoing it (raw mode: nothing typed reaches the terminal). Enter ends
 * it, Backspace deletes, Ctrl-U clears, Ctrl-C or Ctrl-D on an empty line cancels.
 */
export function readHiddenLine(prompt: string, input: HiddenInput, output: PromptOutput): Promise<string> {
  if (!input.isTTY) {
    return Promise.reject(new ConnectGuardError('MISSING_CREDENTIALS', 'Cannot ask for the Secret Key: input is not a terminal.'));
  }
  output.write(prompt);
  input.setEncoding('utf8');
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
          finish();
          reject(new ConnectGuardError('CANCELLED', 'Cancelled: no Secret Key entered.'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
