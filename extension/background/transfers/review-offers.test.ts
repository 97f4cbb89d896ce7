import { describe, expect, it } from 'vitest';
import { REVIEW_OFFER_DAYS, ReviewOffers, type ReviewOffer } from './review-offers.ts';

const DAY = 24 * 60 * 60 * 1000;

function setup(start = Date.UTC(2026, 11, 1)) {
  const clock = { now: start };
  let stored: unknown;
  const saves: (readonly ReviewOffer[])[] = [];
  const offers = new ReviewOffers(
    {
      load: async () => stored,
      save: async (next) => {
        saves.push(next);
        stored = next;
      },
    },
    () => clock.now,
  );
  return { offers, clock, saves, setStored: (value: unknown) => void (stored = value) };
}

describe('ReviewOffers', () => {
  it('offers the review on the origin of a connect until it expires', async () => {
    const { offers, clock } = setup();
    expect(await offers.offered('https://app.wesendit.com')).toBe(false);
    await offers.remember('https://app.wesendit.com', 'usr-1-itm-2-nas');
    expect(await offers.offered('https://app.wesendit.com')).toBe(true);
    expect(await offers.offered('https://evil.example')).toBe(false);
    clock.now += (REVIEW_OFFER_DAYS - 1) * DAY;
    expect(await offers.offered('https://app.wesendit.com')).toBe(true);
    clock.now += 2 * DAY;
    expect(await offers.offered('https://app.wesendit.com')).toBe(false);
  });

  it('stops offering a bucket once a review found it as predicted, and keeps the others', async () => {
    const { offers, saves } = setup();
    await offers.remember('https://app.wesendit.com', 'bucket-a');
    await offers.remember('https://app.wesendit.com', 'bucket-b');
    await offers.reviewed('bucket-a');
    expect(saves.at(-1)?.map((offer) => offer.bucket)).toEqual(['bucket-b']);
    expect(await offers.offered('https://app.wesendit.com')).toBe(true);
    await offers.reviewed('bucket-b');
    expect(await offers.offered('https://app.wesendit.com')).toBe(false);
  });

  it('keeps one entry per origin and bucket, the newest first, at most 20', async () => {
    const { offers, clock, saves } = setup();
    for (let i = 0; i < 25; i++) {
      clock.now += 1000;
      await offers.remember('https://app.wesendit.com', `bucket-${i % 22}`);
    }
    const last = saves.at(-1) ?? [];
    expect(last).toHaveLength(20);
    expect(new Set(last.map((offer) => offer.bucket)).size).toBe(20);
    expect(last[0]?.bucket).toBe('bucket-2');
  });

  it('ignores damaged stored entries instead of failing', async () => {
    const { offers, setStored, clock } = setup();
    setStored([{ origin: 'https://app.wesendit.com' }, 'x', null, { origin: 'https://app.wesendit.com', bucket: 'b', connectedAt: clock.now }]);
    expect(await offers.offered('https://app.wesendit.com')).toBe(true);
    setStored('not a list');
    expect(await offers.offered('https://app.wesendit.com')).toBe(false);
  });
});
