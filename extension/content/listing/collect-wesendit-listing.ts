/**
 * Answers the background's `listing.collect` in a WeSendit tab: finds the current storage's file
 * browser and reads it with the page's own cookies (same-origin `fetch`, read by the quick HTML
 * reader or DOMParser, nothing rendered), sending the entries as `listing.batch` requests.
 */
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import { getFileBrowserUrl } from './find-file-browser.ts';
import { quickReadFileBrowserPage } from './quick-read-file-browser-page.ts';
import { readWesenditListing, type ListingBatch, type ListingResult } from './read-wesendit-listing.ts';

export interface CollectListingDeps {
  sendBatch(batch: ListingBatch): Promise<void>;
}

export async function fetchSameOriginHtml(win: Window, url: string, signal: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await win.fetch(url, { credentials: 'include', signal, headers: { Accept: 'text/html' } });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ConnectGuardError('WESENDIT_LISTING_FAILED', `WeSendit did not answer for ${url} (${error instanceof Error ? error.message : String(error)}). Check the connection and try again.`);
  }
  if (!response.ok) {
    throw new ConnectGuardError('WESENDIT_LISTING_FAILED', `WeSendit answered ${response.status} for ${url}. Reload the page (you may have been signed out) and try again.`);
  }
  return response.text();
}

/** Reads the whole listing; every outcome, a failure too, ends with a `done` batch. */
export async function collectWesenditListing(win: Window, deps: CollectListingDeps): Promise<ListingResult> {
  let startUrl: string;
  try {
    startUrl = getFileBrowserUrl(win.document, win.location.href);
  } catch (error) {
    const data = toErrorData(error);
    await deps.sendBatch({ entries: [], done: true, error: data });
    return { entries: 0, pages: 0, folders: 0, quickPages: 0, error: data };
  }
  const parser = new DOMParser();
  return readWesenditListing(startUrl, {
    fetchHtml: (url, signal) => fetchSameOriginHtml(win, url, signal),
    parseHtml: (html) => parser.parseFromString(html, 'text/html'),
    quickReadPage: (html, url) => quickReadFileBrowserPage(html, url, (rest) => parser.parseFromString(rest, 'text/html')),
    sendBatch: deps.sendBatch,
  });
}
