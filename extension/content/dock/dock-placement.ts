/**
 * Where the Connect Guard dock goes, as a pure function of rectangles in CSS px (viewport
 * coordinates, as `getBoundingClientRect` gives them). The dock never covers what it gates nor
 * the dialog the user must read unless the user asks for it:
 *
 * - Beside its anchor (the credentials dialog's box, or the connect form): right of it when
 *   there is room, else left of it. The width adapts to the room (DOCK_MIN_WIDTH…DOCK_MAX_WIDTH);
 *   the top follows the anchor's top, kept inside the viewport.
 * - No room on either side (a small window, 200 % zoom): a small handle in the first corner that
 *   does not intersect the held controls (and, when one exists, the anchor itself).
 * - Expanded by the user without room: an overlay from the handle's corner — the user's choice.
 */

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** `auto`: beside when there is room, else the handle. `collapsed`/`expanded`: the user's choice. */
export type DockMode = 'auto' | 'collapsed' | 'expanded';

export type DockCorner = 'top-right' | 'bottom-right' | 'bottom-left' | 'top-left';

export interface DockPlacementInput {
  /** The visible viewport (without scrollbars). */
  readonly viewport: { readonly width: number; readonly height: number };
  /** What the dock is placed beside and must not cover; `undefined` when it is not known. */
  readonly anchor: Box | undefined;
  /** The controls the dock gates (held "Continue", the connect button): the handle never covers them. */
  readonly controls: readonly Box[];
  /** The height the step's frame would like. */
  readonly preferredHeight: number;
  /** The collapsed handle's natural size. */
  readonly handle: { readonly width: number; readonly height: number };
  readonly mode: DockMode;
}

export type DockPlacement =
  | (Box & { readonly kind: 'beside'; readonly side: 'right' | 'left' })
  | (Box & { readonly kind: 'handle'; readonly corner: DockCorner })
  | (Box & { readonly kind: 'overlay'; readonly corner: DockCorner });

/** Distance from the viewport's edges. */
export const DOCK_EDGE = 8;
/** Distance from the anchor. */
export const DOCK_GAP = 8;
/**
 * Narrowest dock beside an anchor. A 640 px modal with its padding (≈ 700 px) centred in a
 * 1280 px window leaves ≈ 290 px on each side; the frames' layouts hold down to this width.
 */
export const DOCK_MIN_WIDTH = 264;
export const DOCK_MAX_WIDTH = 440;
/** Lower than this the frames cannot show their heading and first controls. */
export const DOCK_MIN_HEIGHT = 220;

const CORNERS: readonly DockCorner[] = ['top-right', 'bottom-right', 'bottom-left', 'top-left'];

export function intersects(a: Box, b: Box): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

function overlapArea(a: Box, b: Box): number {
  const width = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const height = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return width > 0 && height > 0 ? width * height : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, max));
}

function boxAt(corner: DockCorner, width: number, height: number, viewport: DockPlacementInput['viewport']): Box {
  const right = corner.endsWith('right');
  const bottom = corner.startsWith('bottom');
  return {
    left: right ? viewport.width - DOCK_EDGE - width : DOCK_EDGE,
    top: bottom ? viewport.height - DOCK_EDGE - height : DOCK_EDGE,
    width,
    height,
  };
}

/** The panel beside the anchor, or `undefined` when neither side has room. */
function beside(input: DockPlacementInput): DockPlacement | undefined {
  const { anchor, viewport } = input;
  if (!anchor) return undefined;
  const height = Math.min(input.preferredHeight, viewport.height - 2 * DOCK_EDGE);
  if (height < DOCK_MIN_HEIGHT) return undefined;
  const top = clamp(anchor.top, DOCK_EDGE, viewport.height - DOCK_EDGE - height);
  const roomRight = viewport.width - DOCK_EDGE - (anchor.left + anchor.width + DOCK_GAP);
  if (roomRight >= DOCK_MIN_WIDTH) {
    return { kind: 'beside', side: 'right', left: anchor.left + anchor.width + DOCK_GAP, top, width: Math.min(DOCK_MAX_WIDTH, roomRight), height };
  }
  const roomLeft = anchor.left - DOCK_GAP - DOCK_EDGE;
  if (roomLeft >= DOCK_MIN_WIDTH) {
    const width = Math.min(DOCK_MAX_WIDTH, roomLeft);
    return { kind: 'beside', side: 'left', left: anchor.left - DOCK_GAP - width, top, width, height };
  }
  return undefined;
}

/**
 * The handle's corner: first one clear of the controls and the anchor, else clear of the
 * controls, else the one covering the least of them.
 */
function handleCorner(input: DockPlacementInput): { corner: DockCorner; box: Box } {
  const width = Math.min(input.handle.width, input.viewport.width - 2 * DOCK_EDGE);
  const controls = input.controls.filter((control) => control.width > 0 && control.height > 0);
  const scored = CORNERS.map((corner, order) => {
    const box = boxAt(corner, width, input.handle.height, input.viewport);
    const covered = controls.reduce((sum, control) => sum + overlapArea(box, control), 0);
    const onAnchor = input.anchor !== undefined && intersects(box, input.anchor);
    return { corner, box, covered, onAnchor, order };
  });
  scored.sort((a, b) => Number(a.covered > 0) - Number(b.covered > 0) || Number(a.onAnchor) - Number(b.onAnchor) || a.covered - b.covered || a.order - b.order);
  const best = scored[0] ?? { corner: 'top-right', box: boxAt('top-right', width, input.handle.height, input.viewport) };
  return { corner: best.corner, box: best.box };
}

export function placeDock(input: DockPlacementInput): DockPlacement {
  if (input.mode !== 'collapsed') {
    const panel = beside(input);
    if (panel) return panel;
  }
  const { corner, box } = handleCorner(input);
  if (input.mode !== 'expanded') return { kind: 'handle', corner, ...box };
  const width = Math.min(DOCK_MAX_WIDTH, input.viewport.width - 2 * DOCK_EDGE);
  const height = Math.max(0, Math.min(input.preferredHeight, input.viewport.height - 2 * DOCK_EDGE));
  return { kind: 'overlay', corner, ...boxAt(corner, width, height, input.viewport) };
}
