// The behaviour suite over stdio: every connect() spawns `node dist/reference-server/main.js`.
import { describe } from 'vitest';
import { stdioTarget } from '../helpers/ref-client.js';
import { defineBehaviourSuite } from './suite.js';

describe('reference server over stdio', () => {
  defineBehaviourSuite(async () => stdioTarget());
});
