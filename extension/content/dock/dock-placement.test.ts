import { describe, expect, it } from 'vitest';
import { DOCK_EDGE, DOCK_MAX_WIDTH, DOCK_MIN_WIDTH, intersects, placeDock, type Box, type DockPlacementInput } from './dock-placement.ts';

const HANDLE = { width: 260, height: 32 };
/** The fake WeSendit connect form at 1280×800: the form box and its Connect button. */
const CONNECT_FORM: Box = { left: 24, top: 207, width: 616, height: 535 };
const CONNECT_BUTTON: Box = { left: 52, top: 656, width: 98, height: 34 };
/** The fake credentials dialog (640 px + padding) centred in 1280 px. */
const CREDENTIALS_DIALOG: Box = { left: 292, top: 40, width: 696, height: 560 };

function input(overrides: Partial<DockPlacementInput>): DockPlacementInput {
  return { viewport: { width: 1280, height: 800 }, anchor: CONNECT_FORM, controls: [CONNECT_BUTTON], preferredHeight: 660, handle: HANDLE, mode: 'auto', ...overrides };
}

function inside(box: Box, viewport: { width: number; height: number }): boolean {
  return box.left >= 0 && box.top >= 0 && box.left + box.width <= viewport.width && box.top + box.height <= viewport.height;
}

describe('placeDock: beside the anchor', () => {
  it.each([
    { name: 'connect form, room on the right (raised so its 660 px fit)', anchor: CONNECT_FORM, side: 'right', left: 648, width: DOCK_MAX_WIDTH, top: 800 - DOCK_EDGE - 660 },
    { name: 'an anchor near the top: the dock starts level with it', anchor: { ...CONNECT_FORM, top: 60 }, side: 'right', left: 648, width: DOCK_MAX_WIDTH, top: 60 },
    { name: 'credentials dialog centred in 1280 px: the narrow side room is enough', anchor: CREDENTIALS_DIALOG, side: 'right', left: 996, width: 276, top: 40 },
    { name: 'anchor at the right edge: left of it', anchor: { left: 700, top: 100, width: 560, height: 400 }, side: 'left', left: 252, width: DOCK_MAX_WIDTH, top: 100 },
    { name: 'anchor low on the page: the top is pulled into the viewport', anchor: { left: 24, top: 600, width: 600, height: 900 }, side: 'right', left: 632, width: DOCK_MAX_WIDTH, top: 800 - DOCK_EDGE - 660 },
    { name: 'anchor scrolled above the viewport: the top stays at the edge', anchor: { left: 24, top: -500, width: 600, height: 300 }, side: 'right', left: 632, width: DOCK_MAX_WIDTH, top: DOCK_EDGE },
  ] as const)('$name', ({ anchor, side, left, width, top }) => {
    const placement = placeDock(input({ anchor }));
    expect(placement).toMatchObject({ kind: 'beside', side, left, width, top, height: 660 });
    expect(intersects(placement, anchor)).toBe(false);
  });

  it('a short viewport shortens the dock to fit', () => {
    expect(placeDock(input({ viewport: { width: 1280, height: 500 } }))).toMatchObject({ kind: 'beside', top: DOCK_EDGE, height: 500 - 2 * DOCK_EDGE });
  });

  it('expanded by the user with room: still beside, not over the page', () => {
    expect(placeDock(input({ mode: 'expanded' }))).toMatchObject({ kind: 'beside', side: 'right' });
  });

  it('width adapts between the minimum and the maximum', () => {
    for (let room = DOCK_MIN_WIDTH; room < DOCK_MAX_WIDTH + 50; room += 7) {
      const viewport = { width: CONNECT_FORM.left + CONNECT_FORM.width + 8 + room + DOCK_EDGE, height: 800 };
      const placement = placeDock(input({ viewport }));
      expect(placement).toMatchObject({ kind: 'beside', width: Math.min(room, DOCK_MAX_WIDTH) });
      expect(inside(placement, viewport)).toBe(true);
    }
  });
});

describe('placeDock: no room beside → a handle clear of the held controls', () => {
  // 200 % zoom of a 1280×800 window: the form fills the width.
  const zoomed = { viewport: { width: 640, height: 400 }, anchor: { left: 24, top: 103, width: 592, height: 535 }, controls: [{ left: 52, top: 340, width: 98, height: 34 }] };

  it('200 % zoom: collapsed to the handle in the top-right corner, off the form and its button', () => {
    const placement = placeDock(input(zoomed));
    expect(placement).toEqual({ kind: 'handle', corner: 'top-right', left: 640 - DOCK_EDGE - 260, top: DOCK_EDGE, width: 260, height: 32 });
    expect(intersects(placement, zoomed.controls[0] ?? CONNECT_BUTTON)).toBe(false);
  });

  it.each([
    { name: 'a held button in the top-right corner → bottom-right', controls: [{ left: 500, top: 4, width: 130, height: 40 }], corner: 'bottom-right' },
    { name: 'held controls in both right corners → bottom-left', controls: [{ left: 500, top: 4, width: 130, height: 40 }, { left: 400, top: 350, width: 230, height: 45 }], corner: 'bottom-left' },
    {
      name: 'held controls in three corners → top-left',
      controls: [{ left: 500, top: 4, width: 130, height: 40 }, { left: 400, top: 350, width: 230, height: 45 }, { left: 0, top: 360, width: 300, height: 40 }],
      corner: 'top-left',
    },
  ] as const)('$name', ({ controls, corner }) => {
    // The anchor fills the viewport: only the controls decide.
    const placement = placeDock(input({ ...zoomed, anchor: { left: 0, top: 0, width: 640, height: 400 }, controls }));
    expect(placement).toMatchObject({ kind: 'handle', corner });
    for (const control of controls) expect(intersects(placement, control)).toBe(false);
  });

  it('prefers a corner off the anchor too when one is free', () => {
    // The anchor covers the top half; its button sits low on the left.
    const placement = placeDock(input({ viewport: { width: 640, height: 400 }, anchor: { left: 0, top: 0, width: 640, height: 200 }, controls: [{ left: 10, top: 350, width: 100, height: 40 }] }));
    expect(placement).toMatchObject({ kind: 'handle', corner: 'bottom-right' });
  });

  it('every corner covers a control: the least covered one', () => {
    const viewport = { width: 300, height: 120 };
    const controls = [
      { left: 0, top: 0, width: 300, height: 30 },
      { left: 0, top: 100, width: 20, height: 20 },
    ];
    const placement = placeDock(input({ viewport, anchor: { left: 0, top: 0, width: 300, height: 120 }, controls }));
    expect(placement).toMatchObject({ kind: 'handle', corner: 'bottom-right' });
  });

  it('a hidden control (0×0) covers nothing', () => {
    expect(placeDock(input({ ...zoomed, controls: [{ left: 0, top: 0, width: 0, height: 0 }] }))).toMatchObject({ kind: 'handle', corner: 'top-right' });
  });

  it.each([
    { name: 'a viewport too short for the frames', viewport: { width: 1280, height: 200 } },
    { name: 'no known anchor', anchor: undefined },
    { name: 'collapsed by the user although there is room', mode: 'collapsed' },
  ] as const)('$name → handle', (overrides) => {
    expect(placeDock(input(overrides))).toMatchObject({ kind: 'handle' });
  });

  it('a handle wider than a tiny viewport is narrowed to fit', () => {
    const placement = placeDock(input({ viewport: { width: 200, height: 300 }, handle: { width: 260, height: 32 } }));
    expect(placement).toMatchObject({ kind: 'handle', width: 200 - 2 * DOCK_EDGE });
  });
});

describe('placeDock: expanded by the user without room', () => {
  it('overlays from the handle’s corner, as large as the viewport allows', () => {
    const placement = placeDock(input({ viewport: { width: 640, height: 400 }, anchor: { left: 24, top: 103, width: 592, height: 535 }, mode: 'expanded' }));
    expect(placement).toEqual({ kind: 'overlay', corner: 'top-right', left: 640 - DOCK_EDGE - DOCK_MAX_WIDTH, top: DOCK_EDGE, width: DOCK_MAX_WIDTH, height: 400 - 2 * DOCK_EDGE });
  });
});

describe('placeDock: never over the anchor unless the user asked', () => {
  it('holds for a grid of anchors and viewports', () => {
    let checked = 0;
    for (const viewport of [{ width: 640, height: 400 }, { width: 1024, height: 700 }, { width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
      for (let left = -100; left < viewport.width; left += 37) {
        for (const width of [120, 300, 560, 700, 1000]) {
          for (const top of [-200, 0, 40, 300]) {
            const anchor = { left, top, width, height: 400 };
            const controls = [{ left: left + 20, top: top + 340, width: 100, height: 34 }];
            const placement = placeDock(input({ viewport, anchor, controls }));
            checked += 1;
            expect(inside(placement, viewport), JSON.stringify({ viewport, anchor, placement })).toBe(true);
            if (placement.kind === 'beside') expect(intersects(placement, anchor), JSON.stringify({ viewport, anchor, placement })).toBe(false);
            else expect(controls.some((control) => intersects(placement, control)), JSON.stringify({ viewport, anchor, placement })).toBe(false);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
