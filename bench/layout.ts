/** Paths of the synthetic defs of the bench (generateSuiteDefs with one suite `s0`). */

/** `count` task paths of families `firstFamily`, `firstFamily + 1`, …: `/s0/f<f>/t<t>`. */
export function taskPaths(firstFamily: number, count: number, familySize: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`/s0/f${firstFamily + Math.floor(i / familySize)}/t${i % familySize}`);
  return out;
}
