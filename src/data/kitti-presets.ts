/**
 * KITTI settings per optocnn preset, in one table for the preset registry to take over: the model size
 * `optocnn data kitti` converts to (aspect ~3.3 like KITTI's 375 x 1242 frames; height and width are
 * multiples of each preset network's total downsampling: 8 tiny, 16 default, 32 paper) and the
 * evaluation protocol of the KITTI literature (Eigen et al. 2014; Garg et al. 2016; Monodepth2): ground
 * truth counts inside (1e-3 m, 80 m), predictions are clamped to that range, the Garg crop, no median
 * scaling (optocnn's networks are trained on metric depth).
 */
export const KITTI_PRESETS = {
  size: {
    tiny: { height: 32, width: 104 },
    default: { height: 64, width: 208 },
    paper: { height: 192, width: 640 },
  },
  protocol: { minDepth_m: 1e-3, maxDepth_m: 80, crop: "garg", medianScaling: false },
} as const;
