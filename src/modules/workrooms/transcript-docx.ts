/**
 * A workroom transcript as a Word document (`.docx`, the `docx` package):
 * the workroom's name as the title, a line saying what the document is,
 * then per conversation a heading (its title) and its messages, each an
 * author line (display name and UTC time, bold) and the content, one
 * paragraph per line. Text is customer-written: characters XML 1.0 cannot
 * carry (control characters, lone surrogates) are replaced, so Word opens
 * every export; the package escapes the rest.
 */
import { Document, HeadingLevel, Packer, Paragraph, TextRun, type IRunOptions } from 'docx';
import type { Transcript, TranscriptMessage } from './transcript.js';

// Control characters other than tab and newline, U+FFFE/U+FFFF, and lone surrogates.
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `s` with every character XML 1.0 cannot hold replaced by U+FFFD. */
export const xmlSafe = (s: string): string => s.replace(NOT_XML, '\uFFFD');

/** A run from options typed as such (TextRun also takes a string, whose `bold` is deprecated). */
const run = (options: IRunOptions): TextRun => new TextRun(options);

const utc = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function messageParagraphs(m: TranscriptMessage): Paragraph[] {
  const author = new Paragraph({
    spacing: { before: 200 },
    children: [
      run({ text: xmlSafe(m.author_name), bold: true }),
      run({ text: `  ${utc(m.created_at)}`, color: '666666', size: 18 }),
    ],
  });
  const lines = xmlSafe(m.content).split(/\r\n|\r|\n/);
  return [author, ...lines.map((line) => new Paragraph({ children: [new TextRun(line)] }))];
}

/** The document's bytes. */
export function transcriptDocx(t: Transcript, exportedAt: Date): Promise<Buffer> {
  const body: Paragraph[] = [
    new Paragraph({
      heading: HeadingLevel.TITLE,
      children: [new TextRun(xmlSafe(t.workroom.name))],
    }),
    new Paragraph({
      children: [
        run({
          text:
            `Workroom export: ${t.conversations.length} conversations, ${t.messageCount} messages. ` +
            `Created ${utc(t.workroom.created_at)}; exported ${utc(exportedAt.toISOString())}.`,
          italics: true,
          color: '555555',
        }),
      ],
    }),
  ];
  for (const { conversation, messages } of t.conversations) {
    body.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_1,
        children: [new TextRun(xmlSafe(conversation.title ?? 'Untitled conversation'))],
      }),
    );
    if (messages.length === 0) {
      body.push(new Paragraph({ children: [run({ text: 'No messages.', italics: true })] }));
    }
    for (const m of messages) body.push(...messageParagraphs(m));
  }
  const doc = new Document({
    creator: 'Wardroom',
    title: xmlSafe(t.workroom.name),
    description: 'Workroom export',
    styles: { default: { document: { run: { font: 'Calibri', size: 22 } } } },
    sections: [{ children: body }],
  });
  return Packer.toBuffer(doc);
}

/**
 * A download file name for the workroom: its name reduced to ASCII letters,
 * digits, `-` and `_` (accents dropped, everything else a `-`), at most 60
 * characters, then the workroom id's first 8 characters: nothing a header
 * or a file system could misread (quotes, CR/LF, separators, dots).
 */
export function transcriptFileName(name: string, id: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 60)
    .replace(/[-_]+$/g, '');
  return `${slug === '' ? 'workroom' : slug}-${id.slice(0, 8).replace(/[^A-Za-z0-9]/g, '')}.docx`;
}
