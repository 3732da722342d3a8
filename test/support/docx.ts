/**
 * Reading a .docx in tests: its zip entries (yauzl) and the text of each
 * paragraph of word/document.xml, in order (the `<w:t>` runs of each
 * `<w:p>` joined, XML entities decoded).
 */
import { unzip } from './zip.js';

const decode = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e === 'amp') return '&';
    return String.fromCodePoint(
      e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
    );
  });

/** The text of each paragraph of a document.xml, in document order. */
export function paragraphs(documentXml: string): string[] {
  const out: string[] = [];
  for (const p of documentXml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []) {
    const runs = [...p.matchAll(/<w:t(?: [^>]*)?>([\s\S]*?)<\/w:t>/g)].map((m) =>
      decode(m[1] ?? ''),
    );
    out.push(runs.join(''));
  }
  return out;
}

/** The paragraphs of a .docx file's body. */
export async function docxParagraphs(buf: Buffer): Promise<string[]> {
  const files = await unzip(buf);
  const xml = files.get('word/document.xml');
  if (xml === undefined) throw new Error('no word/document.xml in the file');
  return paragraphs(xml);
}
