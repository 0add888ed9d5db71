/** `count` seeded values in [0, 1) from a fixed linear congruential generator (the same on every machine). */
export function seededUniform(count: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  });
}

/** `count` seeded values in [-1, 1) from another fixed generator (native and js ops, cpu and wasm see the same inputs). */
export function seededSigned(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}
