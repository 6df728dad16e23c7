// What the multistep solvers in DPM-Solver's form share (DPM++ 2M and 2M SDE, UniPC, DEIS): the
// last few model outputs, and how many steps have run, which caps the order (the first step is
// first order, the next at most second, up to the solver's order); and reading their schedule
// and prediction type from the class's arguments.

import type { NoiseSource } from '../noise';
import { type ConfigArgs, PREDICTION_TYPES, readBetaOptions, readPredictionType, readSpacing, type PredictionType } from './config';
import { History } from './history';
import { readSigmaSpacing } from './scheduleTypes';
import { vpSchedule, type VpSchedule, type VpScheduleRules } from './vpSchedule';
import { VpSampler } from './vpSampler';

export interface MultistepOptions {
  predictionType: PredictionType;
  solverOrder: number;
}

export abstract class MultistepSampler<O extends MultistepOptions> extends VpSampler {
  /** The converted model outputs, newest first (`get(0)`). */
  protected readonly history: History;
  private stepsRun = 0;

  constructor(
    timesteps: readonly number[],
    sigmas: readonly number[],
    protected readonly options: O,
  ) {
    super(timesteps, sigmas, options.predictionType);
    this.history = new History(options.solverOrder);
  }

  /** The highest order the history allows at this step (diffusers' `lower_order_nums + 1`). */
  protected get warmOrder(): number {
    return Math.min(this.options.solverOrder, this.stepsRun + 1);
  }

  protected advance(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array {
    const out = this.multistep(modelOutput, index, sample, noise);
    this.stepsRun++;
    return out;
  }

  /** The solver's step at call `index`. */
  protected abstract multistep(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array;
}

/**
 * The schedule and prediction type a DPM-Solver-form class reads from its arguments, refusing the
 * options none of them implements here. `rules` are the class's own (see vpSchedule.ts);
 * `truncateCosineKarras` is DPM-Solver's rounding rule for cosine betas.
 */
export function readVpSetup(
  args: ConfigArgs,
  steps: number,
  rules: Pick<VpScheduleRules, 'lambdaMinClipped' | 'finalSigma' | 'finalFromRamp'> & { truncateCosineKarras?: boolean },
): { schedule: VpSchedule; predictionType: PredictionType } {
  const betas = readBetaOptions(args);
  const { spacing: timestepSpacing, stepsOffset } = readSpacing(args);
  const predictionType = readPredictionType(args, PREDICTION_TYPES);
  args.unsupportedUnless('thresholding', false);
  args.unsupportedUnless('use_flow_sigmas', false);
  if (args.has('use_dynamic_shifting')) args.unsupportedUnless('use_dynamic_shifting', false);
  const { truncateCosineKarras, ...own } = rules;
  const schedule = vpSchedule(betas, steps, {
    ...own,
    spacing: readSigmaSpacing(args),
    timestepSpacing,
    stepsOffset,
    sigmaMin: args.configNumber('sigma_min'),
    sigmaMax: args.configNumber('sigma_max'),
    truncateKarrasTimesteps: truncateCosineKarras === true && betas.betaSchedule === 'squaredcos_cap_v2',
  });
  return { schedule, predictionType };
}

/** `solver_order` for the classes that take 1 to 3. */
export function readSolverOrder(args: ConfigArgs): number {
  const order = args.integer('solver_order', 1);
  if (order > 3) args.unsupportedUnless('solver_order', 3);
  return order;
}
