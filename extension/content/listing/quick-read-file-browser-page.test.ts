// @vitest-environment happy-dom
/**
 * The quick page reader against the DOM reading of the same HTML: on the fake file browser's
 * markup (both languages, both variants, folders, pager) and on hand-written file tables with
 * icons, links and SVG it must read exactly what DOMParser's reading gives; on markup that the
 * HTML standard builds differently from how it is written (implied end tags, tables in
 * paragraphs, unknown references …) it must decline, so that DOMParser reads the page.
 */
import { describe, expect, it } from 'vitest';
import { FakeStorage, type FakeFileSpec } from '../../../test/fake-wesendit/fake-storage.ts';
import { renderFilesPage } from '../../../test/fake-wesendit/pages/files-page.ts';
import { parseFileBrowserPage } from './parse-file-browser-page.ts';
import { quickReadFileBrowserPage } from './quick-read-file-browser-page.ts';

const URL_ = 'http://127.0.0.1:4321/storage/files?storage=s';

const parse = (html: string): Document => new DOMParser().parseFromString(html, 'text/html');

function domRead(html: string) {
  return parseFileBrowserPage(parse(html), URL_);
}

function quickRead(html: string) {
  return quickReadFileBrowserPage(html, URL_, parse);
}

function* files(): Generator<FakeFileSpec> {
  yield { key: 'readme & notes <v2>.txt', content: 'hello' };
  yield { key: 'docs/2026/report (final).pdf', size: 1_234_567, lastModified: '2026-03-01T12:00:00.000Z' };
  yield { key: 'Grüße "quoted" \'single\'.md', content: 'Grüße' };
  yield { key: 'empty.bin', size: 0 };
  for (let i = 0; i < 120; i += 1) yield { key: `photos/${String(i).padStart(5, '0')}.jpg`, size: 1000 + i * 7919, seed: 's' };
  for (let i = 0; i < 30; i += 1) yield { key: `top-${String(i).padStart(3, '0')}.dat`, size: 10 ** (i % 9), seed: 't' };
}

const page = (table: string, lang = 'en', pager = '<nav class="pager" aria-label="Pages"><span>1–2 of 2</span></nav>') =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Files</title><style>td { color: red }</style></head><body><main><h1>Files</h1>${table}${pager}</main></body></html>`;

describe('quickReadFileBrowserPage on the fake file browser', () => {
  const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
  storage.setFiles(files());
  it.each([
    ['en', 'md5', '', '1', '50'],
    ['de', 'md5', '', '1', '20'],
    ['en', 'plain', '', '2', '20'],
    ['de', 'plain', '', '1', '1000'],
    ['en', 'md5', 'photos/', '2', '50'],
    ['de', 'plain', 'photos/', '3', '50'],
    ['en', 'md5', 'docs/2026/', '1', '50'],
  ] as const)('reads what the DOM reading reads (%s, %s, "%s", page %s of %s)', (lang, variant, path, pageNumber, perPage) => {
    const { html } = renderFilesPage({ lang, storage, variant, path, page: pageNumber, perPage });
    const quick = quickRead(html);
    expect(quick).toBeDefined();
    expect(quick).toEqual(domRead(html));
    expect((quick?.files.length ?? 0) + (quick?.folders.length ?? 0)).toBeGreaterThan(0);
  });
});

describe('quickReadFileBrowserPage on other file tables', () => {
  const header = '<thead><tr><th>Name</th><th aria-label="Size">Size ↓</th><th>Modified</th><th>MD5</th></tr></thead>';
  const md5 = '9e107d9d372bb6826bd81d3542a419d6';
  it.each([
    [
      'icons, a linked folder and a folder by its label',
      `<table>${header}<tbody>
        <tr><td><svg aria-hidden="true" viewBox="0 0 10 10"><title>Folder</title><path d="M0 0h10v10z"/></svg> <a href="?path=Fotos%2F">Fotos</a></td><td>—</td><td></td><td></td></tr>
        <tr data-type="folder"><td><i class="icon-folder"></i><a href="?path=a%26b%2F">a &amp; b</a></td><td></td><td></td><td></td></tr>
        <tr><td><span role="img" aria-label="File">📄</span> <a href="/download?id=1" title="Download">plan&nbsp;v2.pdf</a></td><td data-bytes="2048">2 KB</td><td><time datetime="2026-01-02T03:04:05Z">2 Jan</time></td><td><code>${md5}</code></td></tr>
        <tr><td>  spaced   name.txt </td><td title="1,234,567 bytes">1.2 MB</td><td title="2025-12-24T18:00:00Z">Christmas</td><td title="${md5}">…</td></tr>
        <tr><td><span>nested <b>bold</b> <em>name</em></span>.txt</td><td><span data-size="77">77 B</span></td><td>2026-02-03 10:00</td><td></td></tr>
        <tr><td><img alt="Folder" src="x.png"> archive</td><td>—</td><td></td><td></td></tr>
        <tr><td colspan="4">This folder is empty.</td></tr>
        <tr><td></td><td>3 B</td><td></td><td></td></tr>
        <tr><td>&#128193; &#x1F4C1; emoji.txt</td><td>1,5 KB</td><td></td><td></td></tr>
      </tbody></table>`,
      'en',
    ],
    ['German numbers and a Next link in the pager', `<table><tr><th>Name</th><th>Größe</th><th>Geändert</th></tr><tr><td>bericht.pdf</td><td>1,5 MB</td><td>15.01.2026, 09:30</td></tr></table>`, 'de'],
    ['rows without tbody and a header in tbody', `<table><tbody><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>10 B</td></tr><tr><td>b.txt</td><td>unknown</td></tr></tbody></table>`, 'en'],
    ['a table inside an open paragraph (the page around the table is read by DOMParser)', '<p>Files:<table><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>1 B</td></tr></table>', 'en'],
  ])('reads what the DOM reading reads: %s', (_name, table, lang) => {
    const html = page(table, lang, '<nav aria-label="Pages"><span>1–9 von 120</span> <a href="?page=2&amp;perPage=9" aria-label="Weiter">›</a></nav>');
    const quick = quickRead(html);
    expect(quick).toBeDefined();
    expect(quick).toEqual(domRead(html));
  });

  it.each([
    ['a cell left open (implied end tag)', '<table><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt<td>1 B</tr></table>'],
    ['a row left open', '<table><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>1 B</td><tr><td>b</td><td>2 B</td></tr></table>'],
    ['text the parser moves out of the table', '<table>stray<tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>1 B</td></tr></table>'],
    ['a formatting element closed out of order', '<table><tr><th>Name</th><th>Size</th></tr><tr><td><b><i>a.txt</b></i></td><td>1 B</td></tr></table>'],
    ['a reference only the full table knows', '<table><tr><th>Name</th><th>Size</th></tr><tr><td>caf&eacute;.txt</td><td>1 B</td></tr></table>'],
    ['a legacy reference without ";"', '<table><tr><th>Name</th><th>Size</th></tr><tr><td>&copy 2026.txt</td><td>1 B</td></tr></table>'],
    ['a comment in the table', '<table><tr><th>Name</th><th>Size</th></tr><!-- row --><tr><td>a.txt</td><td>1 B</td></tr></table>'],
    ['a second table', '<table><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>1 B</td></tr></table><table><tr><td>x</td></tr></table>'],
    ['an ARIA grid', '<table role="grid"><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>1 B</td></tr></table>'],
    ['a "Next" link inside the table', '<table><tr><th>Name</th><th>Size</th></tr><tr><td><a href="?page=2">Next</a></td><td>1 B</td></tr></table>'],
    ['a script in a cell', '<table><tr><th>Name</th><th>Size</th></tr><tr><td><script>1</script>a.txt</td><td>1 B</td></tr></table>'],
    ['a div inside SVG (the parser leaves SVG)', '<table><tr><th>Name</th><th>Size</th></tr><tr><td><svg><div>a.txt</div></svg></td><td>1 B</td></tr></table>'],
    ['a hidden table', '<table aria-hidden="true"><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>1 B</td></tr></table>'],
  ])('leaves the page to DOMParser: %s', (_name, table) => {
    expect(quickRead(page(table))).toBeUndefined();
  });

  it('leaves a page without a file table to DOMParser', () => {
    expect(quickRead(page('<p>No files.</p>'))).toBeUndefined();
    expect(quickRead(page('<table><tr><th>Owner</th><th>Role</th></tr></table>'))).toBeUndefined();
  });
});
