import * as tf from "@tensorflow/tfjs";

/**
 * The student's training losses. Logits are [n, C]; labels one-hot [n, C].
 *   task:  L_task = mean_i CE(softmax(s_i), y_i)
 *   KD:    (1 - w) L_task + w T^2 mean_i KL(softmax(t_i / T) || softmax(s_i / T))      (Hinton et al. 2015)
 *   NTKD:  alpha L_task + beta mean_ij (Kt_ij - Ks_ij)^2,  K = each network's NTK on the mini-batch,
 *          optionally each divided by its mean diagonal first (the teacher and the student differ in
 *          parameter count, so their raw NTKs differ in scale by orders of magnitude).
 */
export function taskLoss(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

export function kdLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, labels: tf.Tensor2D, temperature: number, weight: number): tf.Scalar {
  return tf.tidy(() => {
    const teacherLog = tf.logSoftmax(teacher.div(temperature));
    const studentLog = tf.logSoftmax(student.div(temperature));
    const kl = tf.sum(tf.exp(teacherLog).mul(teacherLog.sub(studentLog)), 1).mean();
    return taskLoss(student, labels).mul(1 - weight).add(kl.mul(weight * temperature * temperature)) as tf.Scalar;
  });
}

/** K / mean(diag K). */
export function normaliseKernel(kernel: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = kernel.shape[0];
    const meanDiagonal = tf.sum(kernel.mul(tf.eye(n))).div(n);
    return kernel.div(meanDiagonal.add(1e-12)) as tf.Tensor2D;
  });
}

export function ntkLoss(teacher: tf.Tensor2D, student: tf.Tensor2D, normalise: boolean): tf.Scalar {
  return tf.tidy(() => {
    if (teacher.shape[0] !== student.shape[0]) throw new Error(`NTK loss: teacher kernel is ${teacher.shape[0]}x${teacher.shape[0]}, student ${student.shape[0]}x${student.shape[0]}`);
    const t = normalise ? normaliseKernel(teacher) : teacher;
    const s = normalise ? normaliseKernel(student) : student;
    return tf.mean(tf.square(t.sub(s))) as tf.Scalar;
  });
}
