export type { Scheduler, SchedulerConfig } from './scheduler';
export {
  SAMPLERS,
  a1111Name,
  checkSchedulerConfig,
  createScheduler,
  defaultSamplerFor,
  describeSchedule,
  resolveSampler,
  samplerNames,
  type SamplerChoice,
  type SamplerInfo,
} from './registry';
