// Imported first, before anything reads the clock: the store keeps the Date.now it finds when it starts.
// Every process of a test runs at the same frozen instant, so that times in answers (X-RateLimit-Reset,
// Retry-After) depend on the hits alone, never on how long the test took.
const frozen = Number(process.env.THROTTLER_APP_NOW);
if (!Number.isSafeInteger(frozen)) throw new Error('THROTTLER_APP_NOW must be an epoch time in milliseconds.');
Date.now = () => frozen;
