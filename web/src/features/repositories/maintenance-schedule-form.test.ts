import { describe, expect, it } from 'vitest';
import type { MaintenanceSchedule } from '../../api/maintenance-schedules';
import {
  describeScheduleOptions,
  describeTimetable,
  emptyScheduleForm,
  formToScheduleInput,
  scheduleFormProblems,
  scheduleToForm,
} from './maintenance-schedule-form';

function scheduleWith(overrides: Partial<MaintenanceSchedule>): MaintenanceSchedule {
  return {
    id: 'schedule-1',
    repositoryId: 'repo-1',
    kind: 'check',
    cron: '0 4 * * 0',
    timezone: 'Europe/Paris',
    enabled: true,
    jitterSeconds: null,
    options: {},
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    nextRuns: [],
    skippedForOverlap: 0,
    ...overrides,
  };
}

describe('formToScheduleInput', () => {
  it('sends only the check flags the chosen scope allows', () => {
    const base = { ...emptyScheduleForm('check'), timezone: 'UTC', verifyData: true };

    expect(formToScheduleInput({ ...base, checkScope: 'both' }).options).toEqual({
      verifyData: true,
    });
    expect(
      formToScheduleInput({ ...base, checkScope: 'repository', maxDurationMinutes: 15 }).options,
    ).toEqual({ repositoryOnly: true, maxDurationSeconds: 900 });
    expect(formToScheduleInput({ ...base, checkScope: 'archives' }).options).toEqual({
      archivesOnly: true,
      verifyData: true,
    });
  });

  it('normalises the cron, turns jitter minutes into seconds and keeps prune options', () => {
    const input = formToScheduleInput({
      ...emptyScheduleForm('prune'),
      cron: '  30   5 * * * ',
      timezone: 'UTC',
      jitterMinutes: 10,
      retention: { keepLast: 3 },
      globArchives: ' web-* ',
      compact: false,
    });

    expect(input).toEqual({
      cron: '30 5 * * *',
      timezone: 'UTC',
      jitterSeconds: 600,
      options: { retention: { keepLast: 3 }, globArchives: 'web-*', compact: false },
    });
  });
});

describe('scheduleToForm', () => {
  it('reads a stored check back into the fields that produced it', () => {
    const schedule = scheduleWith({
      jitterSeconds: 300,
      options: { repositoryOnly: true, maxDurationSeconds: 1200 },
    });

    const form = scheduleToForm(schedule);

    expect(form).toMatchObject({
      kind: 'check',
      timezone: 'Europe/Paris',
      jitterMinutes: 5,
      checkScope: 'repository',
      maxDurationMinutes: 20,
    });
    expect(formToScheduleInput(form)).toMatchObject({
      cron: schedule.cron,
      jitterSeconds: 300,
      options: schedule.options,
    });
  });

  it('keeps compaction on for a stored prune that does not mention it', () => {
    const form = scheduleToForm(
      scheduleWith({ kind: 'prune', options: { retention: { keepDaily: 7 } } }),
    );

    expect(form).toMatchObject({ retention: { keepDaily: 7 }, globArchives: '', compact: true });
  });
});

describe('scheduleFormProblems', () => {
  it('names the cron, the time zone and missing retention rules', () => {
    const problems = scheduleFormProblems({
      ...emptyScheduleForm('prune'),
      cron: '0 4 * *',
      timezone: 'Mars/Olympus_Mons',
      retention: {},
    });

    expect(Object.keys(problems)).toEqual(['timezone', 'cron', 'retention']);
    expect(problems.cron).toContain('five fields');
  });

  it('finds nothing wrong with the suggested schedules', () => {
    for (const kind of ['check', 'prune'] as const) {
      expect(scheduleFormProblems({ ...emptyScheduleForm(kind), timezone: 'UTC' })).toEqual({});
    }
  });
});

describe('describeTimetable and describeScheduleOptions', () => {
  it('puts the cron into words and falls back to the cron it cannot describe', () => {
    expect(describeTimetable(scheduleWith({}))).toBe('At 04:00, only on Sunday');
    expect(describeTimetable(scheduleWith({ cron: '@daily' }))).toBe('@daily');
  });

  it('summarises what a run does', () => {
    expect(
      describeScheduleOptions(scheduleWith({ options: { archivesOnly: true, verifyData: true } })),
    ).toBe('Archives only, verifies all data');
    expect(
      describeScheduleOptions(
        scheduleWith({
          kind: 'prune',
          options: { retention: { keepDaily: 7 }, globArchives: 'web-*', compact: false },
        }),
      ),
    ).toBe('Keep 7 daily of archives matching web-*, no compaction');
  });
});
