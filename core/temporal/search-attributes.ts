import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes let the Temporal UI filter Borgflow's runs by what they touch.
export const REPOSITORY_ATTRIBUTE = defineSearchAttributeKey(
  'BorgflowRepository',
  SearchAttributeType.KEYWORD,
);
export const PLAN_ATTRIBUTE = defineSearchAttributeKey('BorgflowPlan', SearchAttributeType.KEYWORD);
export const KIND_ATTRIBUTE = defineSearchAttributeKey('BorgflowKind', SearchAttributeType.KEYWORD);
export const TRIGGER_ATTRIBUTE = defineSearchAttributeKey(
  'BorgflowTrigger',
  SearchAttributeType.KEYWORD,
);

/** Set by Temporal itself on each workflow a Schedule starts: the schedule's id. */
export const SCHEDULED_BY_ATTRIBUTE = defineSearchAttributeKey(
  'TemporalScheduledById',
  SearchAttributeType.KEYWORD,
);

export const SEARCH_ATTRIBUTES = [
  REPOSITORY_ATTRIBUTE,
  PLAN_ATTRIBUTE,
  KIND_ATTRIBUTE,
  TRIGGER_ATTRIBUTE,
] as const;
