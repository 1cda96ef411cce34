// The little XML reading S3 and STS answers need, without DOMParser (absent on edge runtimes).
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e],
  );
}

/** Text of the first <tag>…</tag>, unescaped. */
export function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1]) : undefined;
}

/** Texts of every <tag>…</tag>. */
export function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => unescapeXml(m[1]));
}

/** `<Code>` and `<Message>` of an S3/STS error body. */
export function parseXmlError(text: string): { code?: string; message?: string } {
  return { code: xmlValue(text, 'Code'), message: xmlValue(text, 'Message') };
}
