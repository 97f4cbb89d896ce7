import { DIFF_CLASSES, type DiffClass, type DiffRow } from './diff-inventories.ts';

/** Objects and bytes of one class; bytes are counted per side since a key may differ in size. */
export interface ClassTotals {
  readonly objects: number;
  readonly bucketBytes: number;
  readonly wesenditBytes: number;
}

export interface RiskTotals {
  /** Keys whose losing version is lost under this policy. */
  readonly objects: number;
  /** Bytes of the versions lost (the larger version when the winner is undecided). */
  readonly bytes: number;
  /** Keys where the policy's winner cannot be predicted (tie or missing time). */
  readonly undecided: number;
}

/** The totals of a diff: what the seed's table promises, in numbers. */
export interface DiffTotals {
  readonly classes: Readonly<Record<DiffClass, ClassTotals>>;
  readonly objects: number;
  /**
   * Bytes that may be overwritten by policy. Conflicts count fully; unknown rows are listed
   * separately since they may be the same content.
   */
  readonly atRisk: {
    readonly newerWins: RiskTotals;
    readonly wesenditWins: RiskTotals;
    readonly unknownNewerWins: RiskTotals;
    readonly unknownWesenditWins: RiskTotals;
  };
  readonly lookalikes: number;
  /** The first rows of each notable kind, for a human summary (bounded). */
  readonly examples: {
    readonly conflict: readonly DiffRow[];
    readonly unknown: readonly DiffRow[];
    readonly lookalike: readonly DiffRow[];
  };
}

interface MutableClassTotals {
  objects: number;
  bucketBytes: number;
  wesenditBytes: number;
}

interface MutableRisk {
  objects: number;
  bytes: number;
  undecided: number;
}

function emptyRisk(): MutableRisk {
  return { objects: 0, bytes: 0, undecided: 0 };
}

/** Accumulates totals over a stream of rows in constant memory. */
export class DiffTally {
  private readonly classes = new Map<DiffClass, MutableClassTotals>(
    DIFF_CLASSES.map((name) => [name, { objects: 0, bucketBytes: 0, wesenditBytes: 0 }]),
  );
  private objects = 0;
  private lookalikes = 0;
  private readonly newerWins = emptyRisk();
  private readonly wesenditWins = emptyRisk();
  private readonly unknownNewerWins = emptyRisk();
  private readonly unknownWesenditWins = emptyRisk();
  private readonly conflictExamples: DiffRow[] = [];
  private readonly unknownExamples: DiffRow[] = [];
  private readonly lookalikeExamples: DiffRow[] = [];

  constructor(private readonly exampleLimit = 10) {}

  add(row: DiffRow): void {
    this.objects++;
    const totals = this.classes.get(row.class);
    if (totals) {
      totals.objects++;
      if (row.bucket) totals.bucketBytes += row.bucket.size;
      if (row.wesendit) totals.wesenditBytes += row.wesendit.size;
    }
    if (row.outcome) {
      const conflict = row.class === 'conflict';
      const newer = conflict ? this.newerWins : this.unknownNewerWins;
      const wesendit = conflict ? this.wesenditWins : this.unknownWesenditWins;
      newer.objects++;
      newer.bytes += row.outcome.newerWins.bytesAtRisk;
      if (row.outcome.newerWins.winner === 'tie' || row.outcome.newerWins.winner === 'unknown') newer.undecided++;
      wesendit.objects++;
      wesendit.bytes += row.outcome.wesenditWins.bytesAtRisk;
      const examples = conflict ? this.conflictExamples : this.unknownExamples;
      if (examples.length < this.exampleLimit) examples.push(row);
    }
    if (row.lookalikeOf !== undefined) {
      this.lookalikes++;
      if (this.lookalikeExamples.length < this.exampleLimit) this.lookalikeExamples.push(row);
    }
  }

  addBatch(rows: readonly DiffRow[]): void {
    for (const row of rows) this.add(row);
  }

  get totals(): DiffTotals {
    const of = (name: DiffClass): ClassTotals => ({ ...(this.classes.get(name) ?? { objects: 0, bucketBytes: 0, wesenditBytes: 0 }) });
    const classes: Record<DiffClass, ClassTotals> = {
      'only-in-bucket': of('only-in-bucket'),
      'only-in-wesendit': of('only-in-wesendit'),
      same: of('same'),
      conflict: of('conflict'),
      unknown: of('unknown'),
    };
    return {
      classes,
      objects: this.objects,
      atRisk: {
        newerWins: { ...this.newerWins },
        wesenditWins: { ...this.wesenditWins },
        unknownNewerWins: { ...this.unknownNewerWins },
        unknownWesenditWins: { ...this.unknownWesenditWins },
      },
      lookalikes: this.lookalikes,
      examples: {
        conflict: [...this.conflictExamples],
        unknown: [...this.unknownExamples],
        lookalike: [...this.lookalikeExamples],
      },
    };
  }
}

/** Totals of a whole diff stream (rows or batches of rows). */
export async function summarizeDiff(rows: AsyncIterable<DiffRow | readonly DiffRow[]> | Iterable<DiffRow>): Promise<DiffTotals> {
  const tally = new DiffTally();
  for await (const item of rows) {
    if (isRowBatch(item)) tally.addBatch(item);
    else tally.add(item);
  }
  return tally.totals;
}

function isRowBatch(item: DiffRow | readonly DiffRow[]): item is readonly DiffRow[] {
  return Array.isArray(item);
}
