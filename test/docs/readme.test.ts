import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReadme } from '../../scripts/docs.js';
import { packagePath } from '../../harness/paths.js';
import { SCENARIOS } from '../../scenarios/index.js';

describe('README', () => {
  const readme = readFileSync(packagePath('README.md'), 'utf8');

  it('has the check table of the current scenario modules (run `npm run docs` to update)', () => {
    expect(readme).toBe(renderReadme(readme));
  });

  it('documents every check id exactly once in the table', () => {
    for (const spec of SCENARIOS.flatMap((s) => s.checks)) {
      expect(readme.split(`| \`${spec.id}\` |`).length - 1, spec.id).toBe(1);
    }
  });

  it('shows the two Quick start commands', () => {
    expect(readme).toContain('npm ci && npx sep1686-check');
    expect(readme).toContain('npm test');
  });
});
