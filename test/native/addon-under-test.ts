import { loadNativeAddon, type NativeAddon } from "../../src/engine/native/addon.js";

/** The compiled addon, for tests that call it directly (after skipping on `addonSkip`). */
export function nativeAddon(): NativeAddon {
  const load = loadNativeAddon();
  if (!load.ok) throw new Error(load.reason);
  return load.addon;
}

/** Why the addon's own tests cannot run here (`test`'s skip option), or undefined when it loads. */
export function addonSkip(): string | undefined {
  const load = loadNativeAddon();
  return load.ok ? undefined : load.reason;
}
