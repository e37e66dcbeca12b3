import type { ThrottlerStorage } from '@nestjs/throttler';

/** What `ThrottlerStorage.increment` answers (`ThrottlerStorageRecord`, which `@nestjs/throttler` does not export). */
export type ThrottleAnswer = Awaited<ReturnType<ThrottlerStorage['increment']>>;
