/**
 * Saves a Blob as a file the way a page offers a download: an object URL on a temporary
 * `<a download>`. Used for the encrypted vault export and the preview's reports.
 */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the blob after click() returns; revoking at once can cut it off.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
