/**
 * Every relative link in the README, in docs/ and in the module READMEs
 * resolves to a file or folder of this repository, and none leads outside
 * it (no `../` above the root, no absolute path, no symlink out, nothing
 * generated or installed). A link with an anchor must also name a heading of
 * its target. Needs no database.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = realpathSync(fileURLToPath(new URL('../../../', import.meta.url)));

/** Generated or installed, so never a link target. */
const NOT_IN_REPO = ['node_modules', 'dist', '.wardroom', 'coverage', '.git'];

function markdownFiles(): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f));
  const modules = readdirSync(path.join(root, 'src', 'modules'))
    .map((m) => path.join('src', 'modules', m, 'README.md'))
    .filter((f) => existsSync(path.join(root, f)));
  return ['README.md', ...docs, ...modules];
}

/** Markdown without fenced code blocks and inline code, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Targets of inline links and images, and of reference definitions. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const references = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)];
  return [...inline, ...references].map((m) => m[1]!);
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) && !/^file:/i.test(target);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const headings = [...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)];
  return new Set(headings.map((h) => slug(h[1]!)));
}

/** Why `target`, linked from `from` (repo-relative), is not a file of the repo, or undefined. */
function problemWith(from: string, target: string): string | undefined {
  const [rawPath = '', anchor] = target.split('#', 2);
  const linkPath = decodeURIComponent(rawPath);
  if (/^file:/i.test(target) || path.isAbsolute(linkPath)) return 'is absolute';
  const resolved =
    linkPath === '' ? path.resolve(root, from) : path.resolve(root, path.dirname(from), linkPath);
  const relative = path.relative(root, resolved);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return 'leads outside the repository';
  if (!existsSync(resolved)) return 'does not exist';
  const real = path.relative(root, realpathSync(resolved));
  if (real.startsWith('..') || path.isAbsolute(real)) return 'leads outside the repository';
  if (real.split(path.sep).some((part) => NOT_IN_REPO.includes(part)))
    return 'is generated or installed, not part of the repository';
  if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md')) {
    if (!anchors(resolved).has(anchor)) return `has no heading #${anchor}`;
  }
  return undefined;
}

describe('relative links in the README and docs/', () => {
  const files = markdownFiles();

  it('finds the files and their links (the scan itself works)', () => {
    expect(files).toContain(path.join('docs', 'configuration.md'));
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(linkTargets(readme)).toContain('docs/configuration.md');
    expect(linkTargets('`[not](a-link)`\n[a](b.md#c "title")\n[r]: ../x.md\n')).toEqual([
      'b.md#c',
      '../x.md',
    ]);
    expect(problemWith('README.md', '../outside.md')).toBe('leads outside the repository');
    expect(problemWith('docs/keys.md', '../../elsewhere/DESIGN.md')).toBe(
      'leads outside the repository',
    );
    expect(problemWith('README.md', 'node_modules/zod/package.json')).toMatch(
      /outside the repository|generated or installed/,
    );
    expect(problemWith('README.md', 'docs/missing.md')).toBe('does not exist');
    expect(problemWith('README.md', 'docs/keys.md#no-such-heading')).toBe(
      'has no heading #no-such-heading',
    );
  });

  it.each(files)('%s: every relative link resolves inside the repository', (file) => {
    const markdown = readFileSync(path.join(root, file), 'utf8');
    const problems = linkTargets(markdown)
      .filter((target) => !isExternal(target))
      .map((target) => [target, problemWith(file, target)] as const)
      .filter(([, problem]) => problem !== undefined)
      .map(([target, problem]) => `${target} ${problem}`);
    expect(problems).toEqual([]);
  });
});
