// @vitest-environment happy-dom
/**
 * The page tree read straight from HTML against DOMParser's document: the same links, labels and
 * texts where it reads a page, and no tree where the HTML standard would build one that differs
 * from the markup as written.
 */
import { describe, expect, it } from 'vitest';
import type { PageDocument } from './page-tree.ts';
import { readHtmlPageTree } from './read-html-page-tree.ts';

/** What reading a page asks of a document, as plain data. */
function facts(doc: PageDocument) {
  return {
    lang: doc.documentElement.getAttribute('lang'),
    links: [...doc.querySelectorAll('a[href]')].map((link) => [link.getAttribute('href'), link.getAttribute('aria-label'), link.textContent, link.closest('nav, [role="navigation"]')?.textContent ?? link.parentElement?.textContent]),
    next: doc.querySelector('a[rel~="next"][href]')?.getAttribute('href') ?? null,
    navs: [...doc.querySelectorAll('nav, [role="navigation"]')].map((nav) => nav.textContent),
    icons: [...doc.querySelectorAll('[role="img"], [aria-hidden="true"], svg, img, i')].map((icon) => icon.localName),
    tables: [...doc.querySelectorAll('table, [role="grid"], [role="table"], [role="treegrid"]')].map((table) => table.textContent),
  };
}

const dom = (html: string): PageDocument => new DOMParser().parseFromString(html, 'text/html');

describe('readHtmlPageTree', () => {
  it.each([
    ['a pager with references in links and text', '<!doctype html><html lang="de"><head><title>A &amp; B</title></head><body><nav class="pager" aria-label="Seiten"><a rel="prev" href="?page=1&#38;perPage=50">Zurück</a><span>51–100 von 1.234</span><a rel="next" href="?page=3&amp;perPage=50&amp;x=&quot;y&quot;">Weiter &rsaquo;</a></nav></body></html>'.replace('&rsaquo;', '›')],
    ['breadcrumbs, icons and void elements', '<!doctype html><html lang="en"><body><header><span>WeSendit</span><img src="logo.png" alt="WeSendit"></header><nav aria-label="Breadcrumb"><a href="/f">Files</a> / <a href="/f?path=a%2F">a</a><br><i class="icon"></i><svg viewBox="0 0 1 1"><path d="M0 0"/><title>t</title></svg></nav><main><table><tr><td>x</td></tr></table><ul><li>one<li>two</ul><p>para<p>next</main></body></html>'],
    ['unquoted and repeated attributes, a script and a style', '<html lang=en><head><style>a > b { }</style><script>if (a < b && c) {}</script></head><body><div title=one title=two><a href="/x?a=1&b=2" rel=nofollow aria-label="Go on">→</a></div><pre>\nkept</pre></body></html>'],
  ])('reads what DOMParser reads: %s', (_name, html) => {
    const tree = readHtmlPageTree(html);
    expect(tree).toBeDefined();
    if (tree) expect(facts(tree)).toEqual(facts(dom(html)));
  });

  it.each([
    ['a formatting element left open across a block', '<p><b>bold</p>after'],
    ['an unknown named reference', '<p>caf&eacute;</p>'],
    ['a numeric reference without ";"', '<p>&#169 2026</p>'],
    ['a template', '<template><a href="/x">x</a></template>'],
    ['a table in an open paragraph', '<p>text<table><tr><td>x</td></tr></table>'],
    ['text the parser moves out of a table', '<table>moved<tr><td>x</td></tr></table>'],
    ['a nested link', '<a href="/a">a<a href="/b">b</a></a>'],
    ['an end tag with no element open', '<div>x</p></div>'],
  ])('declines: %s', (_name, html) => {
    expect(readHtmlPageTree(html)).toBeUndefined();
  });
});
