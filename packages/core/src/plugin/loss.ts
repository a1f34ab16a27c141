/**
 * A named, weighted, differentiable term over a batch. Core has no ML runtime, so the tensor type is a type
 * parameter: `@facekit/losses` instantiates it with tfjs tensors.
 */
export interface Loss<TTensor = unknown, TInputs = Record<string, TTensor>> {
  readonly name: string;
  /** Weight the total energy multiplies this term by. */
  weight: number;
  /** One line with the formula. */
  readonly formula?: string;
  /** Unweighted value (a scalar tensor) of the term for the batch. */
  compute(inputs: TInputs): TTensor;
}
