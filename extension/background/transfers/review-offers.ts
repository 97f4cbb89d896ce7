/**
 * Where the dock offers "Review sync result": WeSendit's storage page in the tab that connected
 * (the connect hold still in memory), and — right after the sync or days later — any tab on the
 * WeSendit origin where a connect went through after a verified backup with a sync plan, for
 * REVIEW_OFFER_DAYS or until a review found everything as predicted. Kept in extension storage:
 * the origin, the bucket and the time, no secret; the page learns no more than yes or no.
 */

/** How long after a connect the storage page keeps offering the review. */
export const REVIEW_OFFER_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Connects remembered at most (the newest). */
const MAX_OFFERS = 20;

export interface ReviewOffer {
  /** The WeSendit origin the connect form was on. */
  readonly origin: string;
  readonly bucket: string;
  /** Epoch ms of the connect. */
  readonly connectedAt: number;
}

/** Where the offers are kept (extension storage; adapters/review-offer-store.ts). */
export interface ReviewOfferStore {
  load(): Promise<unknown>;
  save(offers: readonly ReviewOffer[]): Promise<void>;
}

function isOffer(value: unknown): value is ReviewOffer {
  if (typeof value !== 'object' || value === null) return false;
  const offer: Record<string, unknown> = { ...value };
  return typeof offer.origin === 'string' && typeof offer.bucket === 'string' && typeof offer.connectedAt === 'number' && Number.isFinite(offer.connectedAt);
}

export class ReviewOffers {
  /** Writes in order: a read-modify-write never loses another one's change. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: ReviewOfferStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A connect went through on `origin` after a verified backup with a plan of `bucket`. */
  remember(origin: string, bucket: string): Promise<void> {
    return this.change((offers) => [{ origin, bucket, connectedAt: this.now() }, ...offers.filter((offer) => !(offer.origin === origin && offer.bucket === bucket))].slice(0, MAX_OFFERS));
  }

  /** Is there a recent connect on `origin` to review? */
  async offered(origin: string): Promise<boolean> {
    return (await this.current()).some((offer) => offer.origin === origin);
  }

  /** A review of `bucket` found everything as predicted: nothing left to offer for it. */
  reviewed(bucket: string): Promise<void> {
    return this.change((offers) => offers.filter((offer) => offer.bucket !== bucket));
  }

  /** The stored offers that have not expired; a damaged entry is dropped. */
  private async current(): Promise<ReviewOffer[]> {
    await this.queue;
    const stored = await this.store.load();
    const since = this.now() - REVIEW_OFFER_DAYS * DAY_MS;
    return (Array.isArray(stored) ? stored : []).filter(isOffer).filter((offer) => offer.connectedAt >= since && offer.connectedAt <= this.now() + DAY_MS);
  }

  private change(edit: (offers: readonly ReviewOffer[]) => readonly ReviewOffer[]): Promise<void> {
    const next = this.queue.then(async () => {
      const stored = await this.store.load();
      const since = this.now() - REVIEW_OFFER_DAYS * DAY_MS;
      const offers = (Array.isArray(stored) ? stored : []).filter(isOffer).filter((offer) => offer.connectedAt >= since);
      await this.store.save(edit(offers));
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
