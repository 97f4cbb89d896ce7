/**
 * The dock's review offers (background/transfers/review-offers.ts) in `storage.local`: origins,
 * bucket names and times, no secret.
 */
import { browser } from 'wxt/browser';
import type { ReviewOffer, ReviewOfferStore } from '../background/transfers/review-offers.ts';

const OFFERS_KEY = 'connectGuard.reviewOffers';

export const reviewOfferStore: ReviewOfferStore = {
  async load() {
    const stored: Record<string, unknown> = await browser.storage.local.get(OFFERS_KEY);
    return stored[OFFERS_KEY];
  },
  async save(offers: readonly ReviewOffer[]) {
    await browser.storage.local.set({ [OFFERS_KEY]: offers });
  },
};
