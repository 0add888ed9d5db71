/**
 * The grating orders of the metasurface cells and where they land on the sensor of the array.
 *
 * A metasurface is a phase on square cells of pitch dx. Its transmission's spectrum repeats every 1 / dx
 * (piecewise-constant cells weight the copies by the cell's sinc envelope but do not remove them), so what the
 * design sends in direction cosine alpha also leaves in alpha + m lambda / dx: for the design's focus on its
 * own axis, the orders leave at sin(theta_m) = m lambda / dx (the grating equation at normal incidence) and
 * each makes a ghost of the PSF centred z tan(theta_m) from the axis (the chief ray; the ghost itself is
 * aberrated). When that distance exceeds half the array pitch, the ghost falls on the sub-image
 * round(z tan(theta) / pitch) pitches away, where the network reads it as part of that neighbour's kernel if
 * it lands within the image the network sees (|offset from that sub-image's centre| < the image's extent:
 * some scene points' ghosts then fall inside the image).
 *
 * How strong the copies are depends on the phase, not on the geometry alone. For a focusing lens (the
 * synthesis's start, and lens-like after fitting) the local spatial frequency at cell xi is xi / (lambda z), so
 * the share of a cell's light in the main order and in the +1 order is sinc^2(u) and sinc^2(1 - u),
 * u = xi dx / (lambda z) (the cell envelope at the two directions). The sampling rule z >= D dx / lambda
 * (D the aperture) keeps u <= 1/2 over the aperture: past it, the outer cells send more light into the ghost
 * than into the focus. `lensFirstOrderRatio` is the resulting ghost-to-focus energy ratio of such a lens:
 * an estimate, where the sensor-array evaluation (sensor-evaluation.ts) measures the real designs.
 *
 * Stage 2's window model (fresnel-window.ts) is paraxial in where off-axis light lands: a plane wave of
 * direction cosine alpha arrives at z alpha instead of z alpha / sqrt(1 - alpha^2) (its non-paraxial terms are
 * referred to the metasurface's own axis). `modelPlacementError_px` is that difference for each ghost.
 */
export interface GhostOrder {
  wavelength_m: number;
  /** Diffraction order (m_x, m_y); (1, 0) stands for its four rotations, (1, 1) for the four diagonals. */
  order: [number, number];
  /** Direction cosine per axis, m lambda / dx. */
  directionCosine: [number, number];
  /** Angle to the metasurface's axis. */
  angle_rad: number;
  /** Where the ghost's chief ray meets the sensor, from the metasurface's axis (x, y). */
  position_m: [number, number];
  /** The same in array pitches. */
  pitches: [number, number];
  /** The sub-image it lands on, in pitches from the metasurface's own (0, 0 = its own). */
  subImage: [number, number];
  /** Where in that sub-image, from its centre (sensor pixels). */
  offsetInSubImage_px: [number, number];
  landsOn: "own sub-image" | "neighbour sub-image";
  /** Whether ghosts of scene points fall inside the image the network reads there (null: image size unknown). */
  reachesImage: boolean | null;
  /** How far stage 2's window model puts this ghost from the chief ray's place, per axis (pixels). */
  modelPlacementError_px: [number, number];
  /** Energy of this ghost over the focus's for a focusing lens on these cells (see above); an estimate. */
  lensFirstOrderRatio: number;
}

export interface GhostOrderReport {
  cellPitch_m: number;
  distance_m: number;
  aperture_m: number;
  /** Array pitch the landing places refer to. */
  pitch_m: number;
  sensorPitch_m: number;
  /** Image the network reads around each sub-image's centre (height, width in pixels), when known. */
  imagePixels: { height: number; width: number } | null;
  /** The lens chirp is sampled without aliasing when z >= D dx / lambda for the shortest wavelength. */
  samplingRule: { requiredDistance_m: number; satisfied: boolean };
  /** First orders (1, 0) and (1, 1) per wavelength, in the order given (orders that do not propagate are left out). */
  orders: GhostOrder[];
  /** Non-null when a first order lands in a neighbour's image or the sampling rule is broken; says which. */
  warning: string | null;
}

/** sinc(x) = sin(pi x) / (pi x). */
function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

/**
 * Ghost (+1 order) over focus energy along one axis for a focusing lens on `cells` cells of pitch dx at
 * distance z: sum over cells of sinc^2(1 - u) / sum of sinc^2(u), u = xi dx / (lambda z).
 */
function lensOrderRatio1d(cells: number, cellPitch_m: number, distance_m: number, wavelength_m: number): number {
  let ghost = 0;
  let focus = 0;
  for (let n = 0; n < cells; n++) {
    const u = ((n - Math.floor(cells / 2)) * cellPitch_m * cellPitch_m) / (wavelength_m * distance_m);
    ghost += sinc(1 - u) ** 2;
    focus += sinc(u) ** 2;
  }
  return ghost / focus;
}

export function ghostOrders(options: {
  cells: number;
  cellPitch_m: number;
  distance_m: number;
  sensorPitch_m: number;
  wavelengths_m: readonly number[];
  /** Centre-to-centre distance of the sub-apertures; default: the aperture (zero spacing). */
  pitch_m?: number;
  imagePixels?: { height: number; width: number };
}): GhostOrderReport {
  const { cells, cellPitch_m: dx, distance_m: z, sensorPitch_m } = options;
  const aperture_m = cells * dx;
  const pitch_m = options.pitch_m ?? aperture_m;
  const image = options.imagePixels ?? null;
  const orders: GhostOrder[] = [];
  for (const wavelength_m of options.wavelengths_m) {
    const ratio1d = lensOrderRatio1d(cells, dx, z, wavelength_m);
    for (const order of [[1, 0], [1, 1]] as [number, number][]) {
      const alpha = (order[0] * wavelength_m) / dx;
      const beta = (order[1] * wavelength_m) / dx;
      const gammaSq = 1 - alpha * alpha - beta * beta;
      if (gammaSq <= 0) continue;
      const gamma = Math.sqrt(gammaSq);
      const position_m: [number, number] = [(z * alpha) / gamma, (z * beta) / gamma];
      const subImage = position_m.map((p) => Math.round(p / pitch_m)) as [number, number];
      const offset = position_m.map((p, i) => (p - subImage[i] * pitch_m) / sensorPitch_m) as [number, number];
      // The image spans [-floor(n/2), n - 1 - floor(n/2)] pixels about the centre: a shift below n moves part of it onto itself.
      const reachesImage = image ? Math.abs(offset[0]) < image.width && Math.abs(offset[1]) < image.height : null;
      orders.push({
        wavelength_m,
        order,
        directionCosine: [alpha, beta],
        angle_rad: Math.acos(gamma),
        position_m,
        pitches: [position_m[0] / pitch_m, position_m[1] / pitch_m],
        subImage,
        offsetInSubImage_px: offset,
        landsOn: subImage[0] === 0 && subImage[1] === 0 ? "own sub-image" : "neighbour sub-image",
        reachesImage,
        modelPlacementError_px: [(position_m[0] - z * alpha) / sensorPitch_m, (position_m[1] - z * beta) / sensorPitch_m],
        lensFirstOrderRatio: order[1] === 0 ? ratio1d : ratio1d * ratio1d,
      });
    }
  }
  const shortest = Math.min(...options.wavelengths_m);
  const requiredDistance_m = (aperture_m * dx) / shortest;
  const samplingRule = { requiredDistance_m, satisfied: z >= requiredDistance_m * (1 - 1e-9) };
  const problems: string[] = [];
  const um = (x: number) => +(x * 1e6).toPrecision(4);
  for (const g of orders) {
    if (g.landsOn !== "neighbour sub-image" || g.reachesImage === false) continue;
    problems.push(
      `at ${+(g.wavelength_m * 1e9).toFixed(0)} nm the (${g.order.join(", ")}) orders of the ${um(dx)} um cells leave at ${((g.angle_rad * 180) / Math.PI).toFixed(1)} deg and land ` +
        `${um(Math.hypot(...g.position_m))} um (${Math.hypot(...g.pitches).toFixed(2)} pitches) away, on the sub-image (${g.subImage.join(", ")}) pitches over, ` +
        `${Math.hypot(...g.offsetInSubImage_px).toFixed(0)} px from its centre${g.reachesImage ? ", inside the image the network reads" : ""} ` +
        `(a focusing lens puts ${(100 * g.lensFirstOrderRatio).toPrecision(2)} % of its focus's energy there)`,
    );
  }
  if (!samplingRule.satisfied) {
    problems.push(`the geometry breaks the lens sampling rule z >= D dx / lambda (${+(requiredDistance_m * 1e3).toPrecision(3)} mm at ${+(shortest * 1e9).toFixed(0)} nm, ${+(z * 1e3).toPrecision(3)} mm used): the outer cells send more light into the ghosts than into the focus`);
  }
  return {
    cellPitch_m: dx,
    distance_m: z,
    aperture_m,
    pitch_m,
    sensorPitch_m,
    imagePixels: image,
    samplingRule,
    orders,
    warning: problems.length ? `ghost orders: ${problems.join("; ")}` : null,
  };
}
