import { CacheInterceptor, CacheTTL } from '@nestjs/cache-manager';
import { Controller, Get, UseInterceptors } from '@nestjs/common';

/** Stands in for a slow query. */
async function loadPrices(): Promise<Record<string, number>> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { tea: 3, coffee: 4 };
}

@Controller('prices')
export class PricesController {
  @Get()
  @UseInterceptors(CacheInterceptor)
  @CacheTTL(30_000) // milliseconds
  async list(): Promise<{ prices: Record<string, number>; loadedAt: string }> {
    return { prices: await loadPrices(), loadedAt: new Date().toISOString() };
  }
}
