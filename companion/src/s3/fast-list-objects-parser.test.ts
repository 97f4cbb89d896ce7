import { describe, expect, it } from 'vitest';
import { splitListObjectsBody } from './fast-list-objects-parser.ts';

const body = (contents: string, tail = '<IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken>') =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>${contents}<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>${tail}</ListBucketResult>`;

describe('splitListObjectsBody', () => {
  it('reads key, size, time and ETag, decoding XML entities, and leaves the rest for the SDK', () => {
    const xml = body(
      '<Contents><Key>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#x0D;&#9;😀</Key><LastModified>2026-01-15T10:00:00.000Z</LastModified><ETag>&quot;abc-2&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>' +
        '<Contents><Key>plain</Key><Size>0</Size></Contents>',
    );
    const { contents, rest } = splitListObjectsBody(xml);
    expect(contents).toEqual([
      { Key: 'a&b <c> "d" \'e\' \r\t😀', LastModified: new Date('2026-01-15T10:00:00.000Z'), ETag: '"abc-2"', Size: 42 },
      { Key: 'plain', Size: 0 },
    ]);
    expect(rest).not.toContain('<Contents>');
    expect(rest).toContain('<NextContinuationToken>tok</NextContinuationToken>');
    expect(rest).toContain('<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>');
  });

  it('rejects a body cut off mid-way, as a retryable reset', () => {
    const xml = body('<Contents><Key>a</Key><Size>1</Size></Contents>');
    expect(() => splitListObjectsBody(xml.slice(0, xml.length - 30))).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
    expect(() => splitListObjectsBody(xml.slice(0, xml.indexOf('</Contents>')))).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
  });
});
