import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { UNET_CHANNELS } from "./unet.js";

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

export type TorchLayout = "nchw" | "channelsLast";

/**
 * The benchmark U-Net of src/bench/unet.ts in PyTorch: same layers (3x3 conv+bias+ReLU pairs at
 * 16-32-64, 2x2 max pooling, nearest upsampling, channel concat of skips, 1x1 head), MSE loss, Adam
 * lr 1e-3, random data, all CPU threads. It serves requests on stdin, one JSON line each
 * ({"size", "layout", "steps", "warmup"}), and answers each with the milliseconds of every timed step;
 * a network is built and warmed up on its first request. The first line it prints describes torch.
 */
function torchServerScript(batch: number): string {
  const [c1, c2, c3] = UNET_CHANNELS;
  return `
import json, os, sys, time, torch
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
LAYOUTS = {"nchw": torch.contiguous_format, "channelsLast": torch.channels_last}
sessions = {}
def session(size, layout, warmup):
    key = (size, layout)
    if key not in sessions:
        fmt = LAYOUTS[layout]
        net = UNet().to(memory_format=fmt)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x = torch.rand(${batch}, 3, size, size).contiguous(memory_format=fmt)
        y = torch.rand(${batch}, 1, size, size).contiguous(memory_format=fmt)
        def step():
            opt.zero_grad(set_to_none=True)
            F.mse_loss(net(x), y).backward()
            opt.step()
        for _ in range(warmup):
            step()
        sessions[key] = step
    return sessions[key]
print(json.dumps({"torchVersion": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    step = session(request["size"], request["layout"], request["warmup"])
    times = []
    for _ in range(request["steps"]):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"times": times}), flush=True)
`;
}

/**
 * A PyTorch process kept alive for the whole benchmark, so that its steps can alternate with ours in
 * the same minutes: on a shared machine the speed drifts between runs by more than the gap being
 * measured.
 */
export class TorchPeer {
  private readonly pending: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private stderrTail = "";
  private exited: Error | null = null;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly python: string,
  ) {
    createInterface({ input: child.stdout }).on("line", (line) => this.pending.shift()?.resolve(line));
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    // A write after the peer died fails with EPIPE; the exit handler below reports that case.
    child.stdin.on("error", () => undefined);
    child.on("exit", (code) => {
      const lastLines = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
      this.exited = new Error(`PyTorch peer exited (code ${code}): ${lastLines}`);
      for (const waiter of this.pending.splice(0)) waiter.reject(this.exited);
    });
  }

  /** Starts the peer, or gives the reason it cannot run: PyTorch is a benchmark peer, never a dependency. */
  static async start(batch: number): Promise<{ ok: true; peer: TorchPeer; torchVersion: string; threads: number } | { ok: false; reason: string }> {
    const python = findTorchPython();
    if (!python) return { ok: false, reason: `no python3 with torch (tried ${PYTHONS.join(", ")}; Debian: apt-get install python3-torch)` };
    const peer = new TorchPeer(spawn(python, ["-c", torchServerScript(batch)], { stdio: ["pipe", "pipe", "pipe"] }), python);
    try {
      const hello = JSON.parse(await peer.nextLine()) as { torchVersion: string; threads: number };
      return { ok: true, peer, ...hello };
    } catch (error) {
      peer.close();
      return { ok: false, reason: (error as Error).message };
    }
  }

  /** Milliseconds of each of `steps` timed steps; the first request of a size and layout warms up first. */
  async timeSteps(size: number, layout: TorchLayout, steps: number, warmup: number): Promise<number[]> {
    const reply = this.nextLine();
    this.child.stdin.write(`${JSON.stringify({ size, layout, steps, warmup })}\n`);
    return (JSON.parse(await reply) as { times: number[] }).times;
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }

  private nextLine(): Promise<string> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}
