import { describe } from 'vitest';
import { registerApiSuite } from './api-suite.ts';
import { sqliteTarget } from './targets.ts';

describe('the API on SQLite', () => {
  registerApiSuite(sqliteTarget());
});
