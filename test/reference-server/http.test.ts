// The behaviour suite over Streamable HTTP: one server process (--http --port 0), a session per connect().
import { describe } from 'vitest';
import { httpTarget } from '../helpers/ref-client.js';
import { defineBehaviourSuite } from './suite.js';

describe('reference server over Streamable HTTP', () => {
  defineBehaviourSuite(() => httpTarget());
});
