/**
 * How a taught head does on labeled images, class by class: the confusion matrix, each class's accuracy and the
 * images it got wrong (the panel shows their thumbnails).
 */

export interface ConfusionMatrix {
  classes: number;
  /** counts[trueClass][predictedClass] over the taught classes; the diagonal is the correct answers. */
  counts: number[][];
  /**
   * Per true class, the images whose prediction was none of the taught classes: an ImageNet class, when the head
   * keeps ImageNet's 1000. Wrong, but not a confusion between the user's classes.
   */
  outside: number[];
}

/**
 * `predicted[i]` is item i's predicted class among the taught ones, or -1 when it was none of them (keep-ImageNet);
 * `actual[i]` its true class.
 */
export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): ConfusionMatrix {
  if (actual.length !== predicted.length)
    throw new RangeError(`${actual.length} true classes but ${predicted.length} predictions`);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const outside = new Array<number>(classes).fill(0);
  for (let i = 0; i < actual.length; i++) {
    const truth = actual[i]!;
    const guess = predicted[i]!;
    if (!(truth >= 0 && truth < classes))
      throw new RangeError(`true class ${truth} is not one of ${classes}`);
    if (guess === -1) outside[truth]! += 1;
    else if (guess >= 0 && guess < classes) counts[truth]![guess]! += 1;
    else throw new RangeError(`predicted class ${guess} is not one of ${classes}`);
  }
  return { classes, counts, outside };
}

/** Each true class's share of correct answers; null for a class with no images to judge it by. */
export function perClassAccuracy(matrix: ConfusionMatrix): (number | null)[] {
  return matrix.counts.map((row, c) => {
    const total = row.reduce((s, n) => s + n, 0) + matrix.outside[c]!;
    return total === 0 ? null : row[c]! / total;
  });
}

/** The share of all images answered correctly; null with none. */
export function overallAccuracy(matrix: ConfusionMatrix): number | null {
  let correct = 0;
  let total = 0;
  matrix.counts.forEach((row, c) => {
    correct += row[c]!;
    total += row.reduce((s, n) => s + n, 0) + matrix.outside[c]!;
  });
  return total === 0 ? null : correct / total;
}

/** The positions (into `actual`) of the wrong answers, in order. */
export function wrongAnswers(actual: ArrayLike<number>, predicted: ArrayLike<number>): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < actual.length; i++) if (actual[i] !== predicted[i]) wrong.push(i);
  return wrong;
}
