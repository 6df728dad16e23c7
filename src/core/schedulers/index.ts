export type { Scheduler, SchedulerConfig } from './scheduler';
export {
  SAMPLERS,
  a1111Name,
  checkSchedulerConfig,
  a1111SamplerNames,
  createScheduler,
  defaultSamplerFor,
  describeSchedule,
  effectiveChoice,
  resolveSampler,
  runChoice,
  samplerNames,
  withSchedule,
  type SamplerChoice,
  type SamplerInfo,
} from './registry';
export { SCHEDULE_LABELS, SCHEDULE_TYPES, resolveScheduleType, type ScheduleType } from './scheduleTypes';
