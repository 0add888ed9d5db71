/** `count` seeded values in [0, 1) from a fixed linear congruential generator (the same on every machine). */
export function seededUniform(count: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  });
}
