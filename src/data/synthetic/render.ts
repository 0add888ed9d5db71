import type { Material, Scene } from "./scene.js";
import { SYNTHETIC_MAX_DEPTH_M, SYNTHETIC_MIN_DEPTH_M, footprintRadius } from "./scene.js";

/**
 * Analytic ray caster for synthetic scenes: per pixel, intersect the ray with the ground, walls, ceiling,
 * boxes, spheres and cylinders in closed form, shade the nearest hit (Lambertian, one directional light
 * with object shadows, procedural texture, aerial perspective) and record its planar depth.
 *
 * Rays are parametrised as origin + t * direction with the direction's component along the optical axis
 * equal to 1, so the hit parameter t IS the planar (z-buffer) depth that depth sensors report.
 */

const NO_HIT = 0;
const FLOOR = 1;
const CEILING = 2;
const BACK_WALL = 3;
const SIDE_WALL = 4;
const FIRST_OBJECT = 10;

const KIND_BOX = 0;
const KIND_SPHERE = 1;
const KIND_CYLINDER = 2;
/** Floats per object in the packed array: kind-specific geometry (see constructor). */
const STRIDE = 8;
const EPSILON = 1e-6;

function latticeValue(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = latticeValue(ix, iy, seed);
  const b = latticeValue(ix + 1, iy, seed);
  const c = latticeValue(ix, iy + 1, seed);
  const d = latticeValue(ix + 1, iy + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

/** Three-octave value noise in [0, 1]. */
function fractalNoise(x: number, y: number, seed: number): number {
  return (valueNoise(x, y, seed) + 0.5 * valueNoise(2.03 * x, 2.03 * y, seed + 1) + 0.25 * valueNoise(4.07 * x, 4.07 * y, seed + 2)) / 1.75;
}

/** Pattern weight in [0,1] of a material at surface coordinates (u, v) in metres. */
function patternWeight(material: Material, u: number, v: number, seed: number): number {
  const s = material.scale_m;
  switch (material.pattern) {
    case "plain":
      return 0;
    case "checker":
      return (Math.floor(u / s) + Math.floor(v / s)) & 1;
    case "stripes":
      return Math.floor((u * Math.cos(material.angle_rad) + v * Math.sin(material.angle_rad)) / s) & 1;
    case "noise":
      return fractalNoise(u / s, v / s, seed);
  }
}

function objectTop(object: Scene["objects"][number]): number {
  if (object.kind === "box") return 2 * object.halfSize_m[1];
  if (object.kind === "sphere") return 2 * object.radius_m;
  return object.height_m;
}

export class SceneTracer {
  private readonly scene: Scene;
  private readonly objectCount: number;
  private readonly kinds: Int32Array;
  private readonly geometry: Float64Array;
  private readonly materials: Material[];
  /** Per object, the image-plane rectangle (xc, yc = camera x/z, y/z) that contains it: primary rays outside skip it. */
  private readonly bounds: Float64Array;
  /** Camera origin and basis in world coordinates (right = +x, down, forward); plain fields for speed. */
  private readonly ox: number;
  private readonly oy: number;
  private readonly oz: number;
  readonly down: [number, number, number];
  readonly forward: [number, number, number];
  private readonly lightX: number;
  private readonly lightY: number;
  private readonly lightZ: number;
  // Details of the last hit found by trace(); scratch fields avoid allocation in the per-pixel loop.
  hitSurface = NO_HIT;
  hitNormalX = 0;
  hitNormalY = 0;
  hitNormalZ = 0;
  hitU = 0;
  hitV = 0;

  constructor(scene: Scene) {
    this.scene = scene;
    const { camera } = scene;
    this.ox = 0;
    this.oy = camera.height_m;
    this.oz = 0;
    [this.lightX, this.lightY, this.lightZ] = scene.light.direction;
    const c = Math.cos(camera.pitch_rad);
    const s = Math.sin(camera.pitch_rad);
    this.forward = [0, -s, c];
    this.down = [0, -c, -s];
    this.objectCount = scene.objects.length;
    this.kinds = new Int32Array(this.objectCount);
    this.geometry = new Float64Array(this.objectCount * STRIDE);
    this.materials = scene.objects.map((o) => o.material);
    scene.objects.forEach((object, i) => {
      const g = i * STRIDE;
      this.geometry[g] = object.x_m;
      this.geometry[g + 1] = object.z_m;
      if (object.kind === "box") {
        this.kinds[i] = KIND_BOX;
        this.geometry[g + 2] = object.halfSize_m[0];
        this.geometry[g + 3] = object.halfSize_m[1];
        this.geometry[g + 4] = object.halfSize_m[2];
        this.geometry[g + 5] = Math.cos(object.yaw_rad);
        this.geometry[g + 6] = Math.sin(object.yaw_rad);
      } else if (object.kind === "sphere") {
        this.kinds[i] = KIND_SPHERE;
        this.geometry[g + 2] = object.radius_m;
      } else {
        this.kinds[i] = KIND_CYLINDER;
        this.geometry[g + 2] = object.radius_m;
        this.geometry[g + 3] = object.height_m;
      }
    });
    this.bounds = new Float64Array(this.objectCount * 4);
    scene.objects.forEach((object, i) => this.bounds.set(this.imageBounds(object.x_m, object.z_m, footprintRadius(object), objectTop(object)), i * 4));
  }

  /** Image-plane rectangle [xMin, xMax, yMin, yMax] of the box |x - cx| <= r, |z - cz| <= r, 0 <= y <= top. */
  private imageBounds(cx: number, cz: number, r: number, top: number): [number, number, number, number] {
    const { ox, oy, oz } = this;
    const bounds: [number, number, number, number] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const x of [cx - r, cx + r]) {
      for (const y of [0, top]) {
        for (const z of [cz - r, cz + r]) {
          const vx = x - ox;
          const vy = y - oy;
          const vz = z - oz;
          const depth = vy * this.forward[1] + vz * this.forward[2];
          // A corner at or behind the camera plane: the object may cover any part of the image.
          if (depth <= 1e-3) return [-Infinity, Infinity, -Infinity, Infinity];
          const xc = vx / depth;
          const yc = (vy * this.down[1] + vz * this.down[2]) / depth;
          bounds[0] = Math.min(bounds[0], xc);
          bounds[1] = Math.max(bounds[1], xc);
          bounds[2] = Math.min(bounds[2], yc);
          bounds[3] = Math.max(bounds[3], yc);
        }
      }
    }
    return bounds;
  }

  /** Ray hit parameter against object i, or Infinity; sets the hit normal and (u, v) when `record`. */
  private intersectObject(i: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, record: boolean): number {
    const g = i * STRIDE;
    const geometry = this.geometry;
    const cx = geometry[g];
    const cz = geometry[g + 1];
    const kind = this.kinds[i];
    if (kind === KIND_SPHERE) {
      const r = geometry[g + 2];
      const px = ox - cx;
      const py = oy - r;
      const pz = oz - cz;
      const a = dx * dx + dy * dy + dz * dz;
      const b = px * dx + py * dy + pz * dz;
      const c = px * px + py * py + pz * pz - r * r;
      const disc = b * b - a * c;
      if (disc < 0) return Infinity;
      const t = (-b - Math.sqrt(disc)) / a;
      if (t <= EPSILON) return Infinity;
      if (record) {
        const hx = px + t * dx;
        const hy = py + t * dy;
        const hz = pz + t * dz;
        this.hitNormalX = hx / r;
        this.hitNormalY = hy / r;
        this.hitNormalZ = hz / r;
        this.hitU = Math.atan2(hz, hx) * r;
        this.hitV = hy;
      }
      return t;
    }
    if (kind === KIND_CYLINDER) {
      const r = geometry[g + 2];
      const h = geometry[g + 3];
      const px = ox - cx;
      const pz = oz - cz;
      let best = Infinity;
      const a = dx * dx + dz * dz;
      if (a > 0) {
        const b = px * dx + pz * dz;
        const c = px * px + pz * pz - r * r;
        const disc = b * b - a * c;
        if (disc >= 0) {
          const t = (-b - Math.sqrt(disc)) / a;
          const y = oy + t * dy;
          if (t > EPSILON && y >= 0 && y <= h) {
            best = t;
            if (record) {
              const hx = px + t * dx;
              const hz = pz + t * dz;
              this.hitNormalX = hx / r;
              this.hitNormalY = 0;
              this.hitNormalZ = hz / r;
              this.hitU = Math.atan2(hz, hx) * r;
              this.hitV = y;
            }
          }
        }
      }
      if (dy < 0 && oy > h) {
        const t = (h - oy) / dy;
        const hx = px + t * dx;
        const hz = pz + t * dz;
        if (t < best && hx * hx + hz * hz <= r * r) {
          best = t;
          if (record) {
            this.hitNormalX = 0;
            this.hitNormalY = 1;
            this.hitNormalZ = 0;
            this.hitU = hx;
            this.hitV = hz;
          }
        }
      }
      return best;
    }
    // Box resting on the ground, rotated by yaw about the vertical: slab test in its local frame.
    const hx = geometry[g + 2];
    const hy = geometry[g + 3];
    const hz = geometry[g + 4];
    const cos = geometry[g + 5];
    const sin = geometry[g + 6];
    const wx = ox - cx;
    const wz = oz - cz;
    const lox = cos * wx - sin * wz;
    const loy = oy - hy;
    const loz = sin * wx + cos * wz;
    const ldx = cos * dx - sin * dz;
    const ldz = sin * dx + cos * dz;
    let tx1 = (-hx - lox) / ldx;
    let tx2 = (hx - lox) / ldx;
    if (tx1 > tx2) { const s = tx1; tx1 = tx2; tx2 = s; }
    let ty1 = (-hy - loy) / dy;
    let ty2 = (hy - loy) / dy;
    if (ty1 > ty2) { const s = ty1; ty1 = ty2; ty2 = s; }
    let tz1 = (-hz - loz) / ldz;
    let tz2 = (hz - loz) / ldz;
    if (tz1 > tz2) { const s = tz1; tz1 = tz2; tz2 = s; }
    let near = tx1;
    let axis = 0;
    if (ty1 > near) { near = ty1; axis = 1; }
    if (tz1 > near) { near = tz1; axis = 2; }
    const far = Math.min(tx2, ty2, tz2);
    if (!(near <= far) || near <= EPSILON) return Infinity;
    if (record) {
      const lx = lox + near * ldx;
      const ly = loy + near * dy;
      const lz = loz + near * ldz;
      if (axis === 0) {
        const sign = ldx > 0 ? -1 : 1;
        this.hitNormalX = sign * cos;
        this.hitNormalY = 0;
        this.hitNormalZ = -sign * sin;
        this.hitU = lz;
        this.hitV = ly;
      } else if (axis === 1) {
        this.hitNormalX = 0;
        this.hitNormalY = dy > 0 ? -1 : 1;
        this.hitNormalZ = 0;
        this.hitU = lx;
        this.hitV = lz;
      } else {
        const sign = ldz > 0 ? -1 : 1;
        this.hitNormalX = sign * sin;
        this.hitNormalY = 0;
        this.hitNormalZ = sign * cos;
        this.hitU = lx;
        this.hitV = ly;
      }
    }
    return near;
  }

  /**
   * Nearest hit along the camera ray through image-plane point (xc, yc) (camera x/z and y/z, y down) whose
   * world direction is (dx, dy, dz); returns t (Infinity for sky) and leaves the surface, normal and
   * texture coordinates in the hit* fields.
   */
  trace(xc: number, yc: number, dx: number, dy: number, dz: number): number {
    const ox = this.ox;
    const oy = this.oy;
    const oz = this.oz;
    const bounds = this.bounds;
    let best = Infinity;
    let surface = NO_HIT;
    if (dy < 0) {
      best = -oy / dy;
      surface = FLOOR;
    }
    const room = this.scene.room;
    if (room) {
      if (room.ceiling_m !== null && dy > 0) {
        const t = (room.ceiling_m - oy) / dy;
        if (t < best) { best = t; surface = CEILING; }
      }
      if (dz > 0) {
        const t = (room.backWall_m - oz) / dz;
        if (t < best) { best = t; surface = BACK_WALL; }
      }
      if (dx !== 0) {
        const t = ((dx > 0 ? room.halfWidth_m : -room.halfWidth_m) - ox) / dx;
        if (t < best) { best = t; surface = SIDE_WALL; }
      }
    }
    for (let i = 0; i < this.objectCount; i++) {
      const b = i * 4;
      if (xc < bounds[b] || xc > bounds[b + 1] || yc < bounds[b + 2] || yc > bounds[b + 3]) continue;
      const t = this.intersectObject(i, ox, oy, oz, dx, dy, dz, false);
      if (t < best) { best = t; surface = FIRST_OBJECT + i; }
    }
    this.hitSurface = surface;
    if (surface >= FIRST_OBJECT) {
      this.intersectObject(surface - FIRST_OBJECT, ox, oy, oz, dx, dy, dz, true);
    } else if (surface !== NO_HIT) {
      const hx = ox + best * dx;
      const hy = oy + best * dy;
      const hz = oz + best * dz;
      this.hitNormalX = 0;
      this.hitNormalY = 0;
      this.hitNormalZ = 0;
      if (surface === FLOOR) { this.hitNormalY = 1; this.hitU = hx; this.hitV = hz; }
      else if (surface === CEILING) { this.hitNormalY = -1; this.hitU = hx; this.hitV = hz; }
      else if (surface === BACK_WALL) { this.hitNormalZ = -1; this.hitU = hx; this.hitV = hy; }
      else { this.hitNormalX = dx > 0 ? -1 : 1; this.hitU = hz; this.hitV = hy; }
    }
    return best;
  }

  /** True if an object blocks the light from point (px, py, pz). */
  private inShadow(px: number, py: number, pz: number): boolean {
    for (let i = 0; i < this.objectCount; i++) {
      if (this.intersectObject(i, px, py, pz, this.lightX, this.lightY, this.lightZ, false) < Infinity) return true;
    }
    return false;
  }

  /** Shades the hit left by the last trace() along (dx, dy, dz) at parameter t into out[offset..offset+2]. */
  shade(dx: number, dy: number, dz: number, t: number, out: Float64Array, offset: number): void {
    const scene = this.scene;
    const surface = this.hitSurface;
    const sky = scene.sky;
    if (surface === NO_HIT) {
      const elevation = Math.max(0, dy / Math.sqrt(dx * dx + dy * dy + dz * dz));
      for (let c = 0; c < 3; c++) out[offset + c] = sky.horizon[c] + (sky.zenith[c] - sky.horizon[c]) * Math.sqrt(elevation);
      return;
    }
    const room = scene.room;
    const material =
      surface >= FIRST_OBJECT ? this.materials[surface - FIRST_OBJECT]
      : surface === FLOOR ? scene.ground
      : surface === CEILING ? room!.ceiling
      : room!.wall;
    const weight = patternWeight(material, this.hitU, this.hitV, (scene.noiseSeed + surface * 7919) | 0);
    const { intensity, ambient } = scene.light;
    const nx = this.hitNormalX;
    const ny = this.hitNormalY;
    const nz = this.hitNormalZ;
    let lambert = nx * this.lightX + ny * this.lightY + nz * this.lightZ;
    if (lambert > 0) {
      // Offset the shadow-ray origin along the normal so a surface does not shadow itself.
      const px = this.ox + t * dx + nx * 1e-4;
      const py = this.oy + t * dy + ny * 1e-4;
      const pz = this.oz + t * dz + nz * 1e-4;
      if (this.inShadow(px, py, pz)) lambert = 0;
    } else {
      lambert = 0;
    }
    const light = ambient + intensity * lambert;
    const fog = scene.fogDistance_m === null ? 1 : Math.exp(-t / scene.fogDistance_m);
    const a = material.colorA;
    const b = material.colorB;
    const h = sky.horizon;
    out[offset] = (a[0] + (b[0] - a[0]) * weight) * light * fog + h[0] * (1 - fog);
    out[offset + 1] = (a[1] + (b[1] - a[1]) * weight) * light * fog + h[1] * (1 - fog);
    out[offset + 2] = (a[2] + (b[2] - a[2]) * weight) * light * fog + h[2] * (1 - fog);
  }
}

export interface RenderOptions {
  height: number;
  width: number;
  /** Supersampling per pixel axis for rgb (2 = 4 rays a pixel); depth is the pixel-centre ray. */
  samplesPerAxis?: number;
  /** Gaussian-like sensor noise source; none when omitted. */
  noise?: () => number;
}

/**
 * Renders a scene into rgb (H*W*3, HWC, [0,1]) and depth_m (H*W, metres, 0 = sky or out of range).
 */
export function renderScene(scene: Scene, options: RenderOptions): { rgb: Float32Array; depth_m: Float32Array } {
  const { height, width } = options;
  const samples = options.samplesPerAxis ?? 2;
  const tracer = new SceneTracer(scene);
  const rgb = new Float32Array(height * width * 3);
  const depth_m = new Float32Array(height * width);
  const focal = width / 2 / Math.tan(scene.camera.hfov_rad / 2);
  const { down, forward } = tracer;
  const color = new Float64Array(3);
  const sensorNoise = scene.sensorNoise;
  const noise = options.noise;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pixel = y * width + x;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < samples; sy++) {
        const yc = (y + (sy + 0.5) / samples - height / 2) / focal;
        const dy = yc * down[1] + forward[1];
        const dz = yc * down[2] + forward[2];
        for (let sx = 0; sx < samples; sx++) {
          const dx = (x + (sx + 0.5) / samples - width / 2) / focal;
          const t = tracer.trace(dx, yc, dx, dy, dz);
          tracer.shade(dx, dy, dz, t, color, 0);
          r += color[0];
          g += color[1];
          b += color[2];
        }
      }
      const norm = 1 / (samples * samples);
      color[0] = r * norm;
      color[1] = g * norm;
      color[2] = b * norm;
      for (let c = 0; c < 3; c++) {
        const value = color[c] + (noise ? sensorNoise * noise() : 0);
        rgb[pixel * 3 + c] = value < 0 ? 0 : value > 1 ? 1 : value;
      }
      const yc = (y + 0.5 - height / 2) / focal;
      const xc = (x + 0.5 - width / 2) / focal;
      const t = tracer.trace(xc, yc, xc, yc * down[1] + forward[1], yc * down[2] + forward[2]);
      depth_m[pixel] = t >= SYNTHETIC_MIN_DEPTH_M && t <= SYNTHETIC_MAX_DEPTH_M ? t : 0;
    }
  }
  return { rgb, depth_m };
}
