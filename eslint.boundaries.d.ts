// Types for eslint.boundaries.js, so the boundary test can load the same rules.
import type { Linter } from 'eslint';

declare const boundaries: Linter.Config[];
export default boundaries;
