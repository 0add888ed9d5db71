import { spawnSync } from "node:child_process";
import { UNET_CHANNELS } from "./unet.js";

export interface TorchTimings {
  python: string;
  torchVersion: string;
  threads: number;
  /** Median step ms per image size, for each memory layout. */
  nchw: Record<string, number>;
  channelsLast: Record<string, number>;
}

/** Python interpreters tried in order: Debian's (where python3-torch installs), then whatever is on PATH. */
const PYTHONS = ["/usr/bin/python3", "python3"];

/** The first interpreter that can import torch, or null: PyTorch is a benchmark peer, never a dependency. */
export function findTorchPython(): string | null {
  for (const python of PYTHONS) {
    const probe = spawnSync(python, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 });
    if (probe.status === 0) return python;
  }
  return null;
}

/**
 * The benchmark U-Net of src/bench/unet.ts in PyTorch: same layers (3x3 conv+bias+ReLU pairs at
 * 16-32-64, 2x2 max pooling, nearest upsampling, channel concat of skips, 1x1 head), MSE loss, Adam
 * lr 1e-3, random data, all CPU threads. Prints one JSON line.
 */
function torchScript(sizes: number[], batch: number, steps: number, warmup: number): string {
  const [c1, c2, c3] = UNET_CHANNELS;
  return `
import json, os, statistics, time, torch
import torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(os.cpu_count())
torch.manual_seed(0)
def pair(i, o):
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU())
class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1, self.enc2, self.mid = pair(3, ${c1}), pair(${c1}, ${c2}), pair(${c2}, ${c3})
        self.dec2, self.dec1 = pair(${c3 + c2}, ${c2}), pair(${c2 + c1}, ${c1})
        self.head = nn.Conv2d(${c1}, 1, 1)
    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(m, scale_factor=2, mode="nearest"), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2, mode="nearest"), e1], 1))
        return self.head(d1)
def time_steps(size, layout):
    net = UNet().to(memory_format=layout)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(${batch}, 3, size, size).contiguous(memory_format=layout)
    y = torch.rand(${batch}, 1, size, size).contiguous(memory_format=layout)
    def step():
        opt.zero_grad(set_to_none=True)
        F.mse_loss(net(x), y).backward()
        opt.step()
    for _ in range(${warmup}):
        step()
    times = []
    for _ in range(${steps}):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)
out = {"torchVersion": torch.__version__, "threads": torch.get_num_threads(), "nchw": {}, "channelsLast": {}}
for size in ${JSON.stringify(sizes)}:
    out["nchw"][str(size)] = time_steps(size, torch.contiguous_format)
    out["channelsLast"][str(size)] = time_steps(size, torch.channels_last)
print(json.dumps(out))
`;
}

/** Times the PyTorch peer in a child process; null with the reason when torch is not importable. */
export function timeTorchPeer(options: { sizes: number[]; batch: number; steps: number; warmup: number }):
  | { ok: true; timings: TorchTimings }
  | { ok: false; reason: string } {
  const python = findTorchPython();
  if (!python) return { ok: false, reason: `no python3 with torch (tried ${PYTHONS.join(", ")}; Debian: apt-get install python3-torch)` };
  const run = spawnSync(python, ["-c", torchScript(options.sizes, options.batch, options.steps, options.warmup)], {
    encoding: "utf8",
    timeout: 20 * 60_000,
  });
  if (run.status !== 0) return { ok: false, reason: `PyTorch peer failed: ${(run.stderr || run.error?.message || "").trim().split("\n").slice(-3).join(" | ")}` };
  const line = run.stdout.trim().split("\n").pop() ?? "";
  const parsed = JSON.parse(line) as Omit<TorchTimings, "python">;
  return { ok: true, timings: { python, ...parsed } };
}
