/**
 * Kernel ridge regression on a precomputed kernel: coefficients A = (K + lambda I)^-1 Y for training
 * kernel K [n, n] and targets Y [n, C], predictions K_* A. Solved by Cholesky in float64.
 */
export function choleskyInPlace(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j];
    for (let k = 0; k < j; k++) diagonal -= a[j * n + k] ** 2;
    if (!(diagonal > 0)) throw new Error(`kernel ridge: matrix not positive definite at row ${j} (pivot ${diagonal}); use a larger ridge`);
    const root = Math.sqrt(diagonal);
    a[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = sum / root;
    }
  }
}

/** Ridge coefficients [n, C] for kernel [n, n] (row-major), ridge lambda, targets [n, C]. */
export function kernelRidgeFit(kernel: Float64Array, n: number, lambda: number, targets: Float64Array, C: number): Float64Array {
  if (kernel.length !== n * n) throw new Error(`kernel ridge: kernel has ${kernel.length} values, expected ${n}x${n}`);
  if (targets.length !== n * C) throw new Error(`kernel ridge: targets have ${targets.length} values, expected ${n}x${C}`);
  const l = Float64Array.from(kernel);
  for (let i = 0; i < n; i++) l[i * n + i] += lambda;
  choleskyInPlace(l, n);
  const x = Float64Array.from(targets);
  for (let c = 0; c < C; c++) {
    // L z = y, then L^T a = z.
    for (let i = 0; i < n; i++) {
      let sum = x[i * C + c];
      for (let k = 0; k < i; k++) sum -= l[i * n + k] * x[k * C + c];
      x[i * C + c] = sum / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = x[i * C + c];
      for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k * C + c];
      x[i * C + c] = sum / l[i * n + i];
    }
  }
  return x;
}

/** Predictions [m, C] = K_* [m, n] A [n, C]. */
export function kernelRidgePredict(cross: Float64Array, m: number, n: number, coefficients: Float64Array, C: number): Float64Array {
  const out = new Float64Array(m * C);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < n; k++) {
      const w = cross[i * n + k];
      if (w === 0) continue;
      for (let c = 0; c < C; c++) out[i * C + c] += w * coefficients[k * C + c];
    }
  }
  return out;
}
