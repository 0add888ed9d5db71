import { test } from "node:test";
import assert from "node:assert/strict";
import { PlaneStack, resizeCentredComplex } from "../../src/optics/plane-stack.js";

test("PlaneStack: checked on construction, naming the shape and the field", () => {
  assert.throws(() => new PlaneStack(new Float32Array(17), { count: 2, size: 3 }, "targets"), /targets: expected 2 planes of 3x3 \(18 values\), got 17/);
  assert.throws(() => new PlaneStack(new Float32Array(0), { count: 0, size: 3 }, "psfs"), /psfs\.count/);
  assert.throws(() => PlaneStack.zeros({ count: 2, size: 3 }).cropCentred(4), /window 4 is larger than the 3x3 planes/);
  assert.throws(() => PlaneStack.zeros({ count: 2, size: 3 }).padCentred(2), /larger than the target 2x2/);
  assert.throws(() => PlaneStack.zeros({ count: 2, size: 3 }).requireSameShape({ count: 3, size: 3 }, "fits"), /fits: shapes differ, 2 planes of 3x3 against 3 of 3x3/);
});

test("PlaneStack: centred pad and crop keep the optical axis at floor(n / 2), odd and even, and invert each other", () => {
  // A marker on the axis of each 3x3 plane lands on the axis of the 4x4 and 6x6 planes (index 2 and 3).
  const planes = PlaneStack.zeros({ count: 2, size: 3 });
  planes.plane(0)[4] = 1;
  planes.plane(1)[4] = 2;
  planes.plane(1)[0] = 5; // top-left: one row and column before the axis
  for (const size of [4, 6]) {
    const padded = planes.padCentred(size);
    const axis = Math.floor(size / 2) * size + Math.floor(size / 2);
    assert.equal(padded.plane(0)[axis], 1, `axis of plane 0 padded to ${size}`);
    assert.equal(padded.plane(1)[axis], 2, `axis of plane 1 padded to ${size}`);
    assert.equal(padded.plane(1)[axis - size - 1], 5, `top-left neighbour padded to ${size}`);
    assert.equal(padded.data.reduce((a, v) => a + v, 0), 8, "padding adds only zeros");
    assert.deepEqual(Array.from(padded.cropCentred(3).data), Array.from(planes.data), `crop inverts the pad to ${size}`);
  }
});

test("resizeCentredComplex pads and crops real and imaginary planes alike", () => {
  const field = { re: Float32Array.from({ length: 9 }, (_, i) => i), im: Float32Array.from({ length: 9 }, (_, i) => -i) };
  const padded = resizeCentredComplex(field, { count: 1, size: 3 }, 5);
  assert.equal(padded.re.length, 25);
  assert.equal(padded.re[12], 4);
  assert.equal(padded.im[12], -4);
  const back = resizeCentredComplex(padded, { count: 1, size: 5 }, 3);
  assert.deepEqual(Array.from(back.re), Array.from(field.re));
  assert.deepEqual(Array.from(back.im), Array.from(field.im));
});
