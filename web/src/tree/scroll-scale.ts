/**
 * Own scroll scaling: browsers cap an element's height (Chrome ~33.5 Mpx, Firefox ~17.9 Mpx), so a
 * million rows of 20 px cannot be one tall element. The scroller's content is at most MAX_REAL_PX
 * high; the "virtual" offset (in row pixels) maps linearly onto it. Wheel and keys move the virtual
 * offset 1:1; the scrollbar moves it in steps of `ratio` px. Pure module.
 */

export const MAX_REAL_PX = 8_000_000;

export interface ScrollSpace {
  /** Height of the scroller's content. */
  readonly realPx: number;
  /** Virtual px per real px of scrollTop (1 when no scaling is needed). */
  readonly ratio: number;
  /** Largest virtual offset. */
  readonly maxVirt: number;
}

/**
 * @example scrollSpace(1_000_000, 20, 600) // { realPx: 8e6, ratio ≈ 2.5, maxVirt: 19_999_400 }
 */
export function scrollSpace(rows: number, rowPx: number, viewPx: number): ScrollSpace {
  const totalPx = rows * rowPx;
  const realPx = Math.min(totalPx, MAX_REAL_PX);
  const maxVirt = Math.max(0, totalPx - viewPx);
  const realRange = Math.max(0, realPx - viewPx);
  return { realPx, ratio: realRange > 0 ? maxVirt / realRange : 1, maxVirt };
}

export function virtFromScrollTop(space: ScrollSpace, scrollTop: number): number {
  return Math.max(0, Math.min(space.maxVirt, scrollTop * space.ratio));
}

export function scrollTopFromVirt(space: ScrollSpace, virt: number): number {
  return space.ratio > 0 ? virt / space.ratio : 0;
}
