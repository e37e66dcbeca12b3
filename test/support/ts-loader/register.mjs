// Loaded with `node --import` (see ts-process.ts): installs the TypeScript hooks before the app's first import.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
