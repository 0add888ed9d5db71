import { randomInt, uniform } from "../../util/random.js";

/**
 * Description of one procedural RGB-D scene. World frame: y up, the camera at (0, height_m, 0) looking
 * along +z, tilted down by pitch_rad; the ground is the plane y = 0. Lengths in metres.
 */

/** Horizontal field of view of the synthetic camera (fixed, like a real data set's single camera). */
export const SYNTHETIC_HFOV_RAD = (60 * Math.PI) / 180;
/** Valid depths lie in [MIN, MAX]; anything else (sky, ground beyond MAX) is stored as 0 = invalid. */
export const SYNTHETIC_MIN_DEPTH_M = 0.5;
export const SYNTHETIC_MAX_DEPTH_M = 20;

export type RGB = [number, number, number];

export interface Camera {
  height_m: number;
  /** Downward tilt of the optical axis. */
  pitch_rad: number;
  hfov_rad: number;
}

export type Pattern = "plain" | "checker" | "stripes" | "noise";

/** A textured Lambertian surface; the pattern mixes colorA and colorB over surface coordinates in metres. */
export interface Material {
  pattern: Pattern;
  /** Period of the pattern in metres (so texture shrinks with distance: a perspective cue). */
  scale_m: number;
  /** Stripe direction in the surface's (u, v) plane. */
  angle_rad: number;
  colorA: RGB;
  colorB: RGB;
}

export type SceneObject =
  | { kind: "box"; x_m: number; z_m: number; halfSize_m: [number, number, number]; yaw_rad: number; material: Material }
  | { kind: "sphere"; x_m: number; z_m: number; radius_m: number; material: Material }
  | { kind: "cylinder"; x_m: number; z_m: number; radius_m: number; height_m: number; material: Material };

/** Indoor scenes: floor, back wall at z = backWall_m, side walls at x = +-halfWidth_m, optional ceiling. */
export interface Room {
  backWall_m: number;
  halfWidth_m: number;
  ceiling_m: number | null;
  wall: Material;
  ceiling: Material;
}

export interface Scene {
  camera: Camera;
  ground: Material;
  /** null = outdoor: ground plane and sky (sky depth is invalid). */
  room: Room | null;
  sky: { horizon: RGB; zenith: RGB };
  /** Directional light: unit vector towards the light, its strength and the ambient level. Only objects cast shadows. */
  light: { direction: [number, number, number]; intensity: number; ambient: number };
  /** Aerial perspective: colour fades to the sky's horizon colour as exp(-depth / fogDistance_m); null = none. */
  fogDistance_m: number | null;
  objects: SceneObject[];
  /** Seeds the procedural noise textures. */
  noiseSeed: number;
  /** Standard deviation of additive sensor noise on rgb in [0,1] units. */
  sensorNoise: number;
}

function randomColor(random: () => number, minValue: number, maxValue: number): RGB {
  // HSV with moderate saturation: varied but natural-looking albedos.
  const hue = random() * 6;
  const saturation = uniform(random, 0.05, 0.7);
  const value = uniform(random, minValue, maxValue);
  const sector = Math.floor(hue);
  const f = hue - sector;
  const p = value * (1 - saturation);
  const q = value * (1 - saturation * f);
  const t = value * (1 - saturation * (1 - f));
  const table: RGB[] = [[value, t, p], [q, value, p], [p, value, t], [p, q, value], [t, p, value], [value, p, q]];
  return table[sector % 6];
}

function randomMaterial(random: () => number, minScale_m: number, maxScale_m: number, plainWeight: number): Material {
  const roll = random();
  const pattern: Pattern = roll < plainWeight ? "plain" : (["checker", "stripes", "noise"] as const)[Math.floor(random() * 3)];
  const colorA = randomColor(random, 0.25, 0.95);
  const contrast = uniform(random, 0.3, 0.8);
  const colorB: RGB = random() < 0.5
    ? [colorA[0] * (1 - contrast), colorA[1] * (1 - contrast), colorA[2] * (1 - contrast)]
    : randomColor(random, 0.15, 0.9);
  return {
    pattern,
    scale_m: Math.exp(uniform(random, Math.log(minScale_m), Math.log(maxScale_m))),
    angle_rad: random() < 0.5 ? 0 : uniform(random, 0, Math.PI),
    colorA,
    colorB,
  };
}

/** Horizontal radius of the object's footprint (bounds every point of it around (x_m, z_m)). */
export function footprintRadius(object: SceneObject): number {
  if (object.kind === "box") return Math.hypot(object.halfSize_m[0], object.halfSize_m[2]);
  return object.radius_m;
}

function randomObject(random: () => number, camera: Camera, room: Room | null): SceneObject {
  const material = randomMaterial(random, 0.05, 0.5, 0.25);
  const roll = random();
  let object: SceneObject;
  if (roll < 0.4) {
    object = {
      kind: "box", x_m: 0, z_m: 0, material, yaw_rad: uniform(random, 0, Math.PI / 2),
      halfSize_m: [uniform(random, 0.15, 0.9), uniform(random, 0.15, 1.0), uniform(random, 0.15, 0.9)],
    };
  } else if (roll < 0.7) {
    object = { kind: "sphere", x_m: 0, z_m: 0, material, radius_m: uniform(random, 0.15, 0.8) };
  } else {
    object = { kind: "cylinder", x_m: 0, z_m: 0, material, radius_m: uniform(random, 0.1, 0.5), height_m: uniform(random, 0.3, 2.5) };
  }
  const radius = footprintRadius(object);
  // Keep every object point at least 1.2 m in front of the camera and inside the room.
  const zMin = 1.2 + radius;
  const zMax = Math.max(zMin + 0.5, (room ? room.backWall_m : 18) - radius - 0.05);
  object.z_m = uniform(random, zMin, Math.min(zMax, 17));
  const visibleHalfWidth = object.z_m * Math.tan(camera.hfov_rad / 2);
  const xLimit = room ? Math.max(0, Math.min(visibleHalfWidth, room.halfWidth_m - radius - 0.05)) : visibleHalfWidth;
  object.x_m = uniform(random, -xLimit, xLimit);
  return object;
}

/** Draws a random scene: indoor rooms (60%) or outdoor ground and sky, with 2-7 objects. */
export function sampleScene(random: () => number): Scene {
  const camera: Camera = {
    height_m: uniform(random, 1.2, 1.8),
    pitch_rad: uniform(random, 0, (12 * Math.PI) / 180),
    hfov_rad: SYNTHETIC_HFOV_RAD,
  };
  const indoor = random() < 0.6;
  const room: Room | null = indoor
    ? {
        backWall_m: uniform(random, 6, 19),
        halfWidth_m: uniform(random, 2.5, 6),
        ceiling_m: random() < 0.7 ? camera.height_m + uniform(random, 0.8, 1.8) : null,
        wall: randomMaterial(random, 0.2, 1.2, 0.3),
        ceiling: randomMaterial(random, 0.3, 1.2, 0.6),
      }
    : null;
  const elevation = uniform(random, 0.35, 1.3);
  const azimuth = uniform(random, 0, 2 * Math.PI);
  const objectCount = randomInt(random, 2, 7);
  const objects: SceneObject[] = [];
  for (let i = 0; i < objectCount; i++) objects.push(randomObject(random, camera, room));
  return {
    camera,
    ground: randomMaterial(random, 0.2, 1.5, 0.15),
    room,
    sky: { horizon: randomColor(random, 0.75, 0.95), zenith: [uniform(random, 0.2, 0.5), uniform(random, 0.4, 0.7), uniform(random, 0.75, 1)] },
    light: {
      direction: [Math.cos(elevation) * Math.cos(azimuth), Math.sin(elevation), Math.cos(elevation) * Math.sin(azimuth)],
      intensity: uniform(random, 0.6, 1.0),
      ambient: uniform(random, 0.2, 0.4),
    },
    fogDistance_m: indoor ? null : uniform(random, 30, 90),
    objects,
    noiseSeed: Math.floor(random() * 4294967296),
    sensorNoise: uniform(random, 0.003, 0.015),
  };
}
