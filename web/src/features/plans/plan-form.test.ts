import { describe, expect, it } from 'vitest';
import { emptyPlanForm, formToPlanInput, planFormProblems } from './plan-form';

describe('planFormProblems', () => {
  it('lists what is missing in a new plan', () => {
    expect(planFormProblems({ ...emptyPlanForm(), timezone: 'UTC' })).toEqual([
      'Give the plan a name.',
      'Choose the repository to back up into.',
      'Choose at least one folder to back up.',
    ]);
  });

  it('reports a broken schedule and pruning without rules', () => {
    const problems = planFormProblems({
      ...emptyPlanForm(),
      name: 'home',
      repositoryId: 'repo-1',
      sources: ['/home'],
      cron: '* *',
      timezone: 'UTC',
      retention: {},
    });
    expect(problems).toHaveLength(2);
    expect(problems[1]).toBe('Pruning after backup needs at least one retention rule.');
  });
});

describe('formToPlanInput', () => {
  it('splits excludes by line and drops the schedule when unscheduled', () => {
    const input = formToPlanInput({
      ...emptyPlanForm(),
      name: ' home ',
      repositoryId: 'repo-1',
      sources: ['/home'],
      excludesText: '*.tmp\n\n  /home/*/.cache  \n',
      isScheduled: false,
    });
    expect(input).toMatchObject({
      name: 'home',
      excludes: ['*.tmp', '/home/*/.cache'],
      schedule: null,
      retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
    });
  });
});
