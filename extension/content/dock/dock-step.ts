/**
 * What the dock shows: steps (preview, connect hold, Secret Key gate), each an extension frame or
 * a message, with what it must not cover; and the dock's own interface (dock.ts builds it).
 */

export const STEP_ORDER = ['preview', 'hold', 'gate', 'review'] as const;
/** The steps in the order of WeSendit's flow: preview, connect (hold), credentials (gate), the review after the sync. */
export type DockStepKind = (typeof STEP_ORDER)[number];

/** An extension page in the frame, or a message in plain words when the frame cannot open. */
export type DockBody = { readonly frame: string; readonly frameTitle: string } | { readonly message: string };

/** What a step must not cover. */
export interface DockTarget {
  /** Placed beside: the credentials dialog's box, the connect form. */
  readonly anchor: Element;
  /** The held controls: the collapsed handle never covers them. */
  readonly controls: readonly Element[];
}

export interface DockStep {
  /** One slot per key: a step shown again under its key replaces the old one. */
  readonly key: string;
  readonly kind: DockStepKind;
  /** Short name on the header's step tab ("Backup"). */
  readonly tab: string;
  /** What the step is at, in the header and on the collapsed handle ("Backing up before connect"). */
  readonly title: string;
  readonly body: DockBody;
  /** The height the frame would like, in CSS px. */
  readonly height: number;
  /** The close button's accessible name; absent while the step must stay (the gate before the verified save). */
  readonly closeLabel?: string;
  /** What the step must not cover, read at every placement (the page may re-render it). */
  locate(): DockTarget | undefined;
}

export type DockStepChanges = Partial<Pick<DockStep, 'title' | 'tab' | 'closeLabel'>>;

export interface Dock {
  /** Shows `step` now (replacing the step with its key), expanded when there is room beside its anchor. */
  show(step: DockStep): void;
  /** Changes a step's title or close button without switching to it. */
  update(key: string, changes: DockStepChanges): void;
  /** Removes a step; with the last one the dock leaves the page. */
  remove(key: string): void;
  /** Puts the dock back if the page removed it (a re-rendered dialog taking it along). */
  ensureAttached(): void;
  /** The key of the step shown. */
  current(): string | undefined;
  /** Every step's key, in the header's order. */
  keys(): readonly string[];
  readonly host: HTMLElement;
  /** The closed shadow root, for tests of the dock itself; never handed to the page. */
  readonly shadow: ShadowRoot;
  stop(): void;
}
