/**
 * "Export CSV" / "Export NDJSON": the report ("make a note of which files are in the bucket",
 * seed §5) fetched part by part from the background, so a million rows never travel in one
 * message, then saved as one file.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { downloadBlob } from '../components/download-blob.ts';
import { OutcomeMessages, messageOf } from '../components/error-message.tsx';
import type { SendToBackground } from './preview-send.ts';

export type ReportFormat = 'csv' | 'ndjson';

/**
 * Every part of the report, in order, each as a Blob as soon as it arrives: the browser keeps
 * Blob data outside the JS heap, so a million-row report does not pile up as strings here.
 */
export async function fetchReport(send: SendToBackground, previewId: string, format: ReportFormat, onPart?: (done: number, parts: number) => void): Promise<{ fileName: string; blob: Blob }> {
  const first = await send('preview.export', { previewId, format, part: 0 });
  const parts: Blob[] = [new Blob([first.text])];
  onPart?.(1, first.parts);
  for (let part = 1; part < first.parts; part++) {
    const next = await send('preview.export', { previewId, format, part });
    parts.push(new Blob([next.text]));
    onPart?.(part + 1, first.parts);
  }
  return { fileName: first.fileName, blob: new Blob(parts, { type: first.mimeType }) };
}

/** `disabled`: the rows are still loading; a report needs all of them. */
export function PreviewExport({ send, previewId, disabled = false }: { readonly send: SendToBackground; readonly previewId: string; readonly disabled?: boolean }): JSX.Element {
  const [note, setNote] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function exportReport(format: ReportFormat): Promise<void> {
    setBusy(true);
    setError(undefined);
    setNote(`Exporting ${format.toUpperCase()}…`);
    try {
      const report = await fetchReport(send, previewId, format, (done, parts) => {
        if (parts > 1) setNote(`Exporting ${format.toUpperCase()}: part ${done} of ${parts}…`);
      });
      downloadBlob(report.fileName, report.blob);
      setNote(`Saved ${report.fileName}.`);
    } catch (caught) {
      setNote(undefined);
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-label="Export report">
      <div class="row">
        <button type="button" class="secondary" disabled={busy || disabled} onClick={() => void exportReport('csv')}>
          Export CSV
        </button>
        <button type="button" class="secondary" disabled={busy || disabled} onClick={() => void exportReport('ndjson')}>
          Export NDJSON
        </button>
      </div>
      <OutcomeMessages note={note} error={error} tone="hint" />
    </section>
  );
}
