import { describe, expect, it } from 'vitest';
import { NOTIFICATION_EVENTS } from '../../api/types';
import { EVENT_LABELS, eventLabel, inFormOrder } from './notification-events';

describe('eventLabel', () => {
  it('has a plain label for every event the API knows', () => {
    for (const event of NOTIFICATION_EVENTS) {
      expect(EVENT_LABELS[event]).toBeTruthy();
      expect(eventLabel(event)).not.toBe(event);
    }
  });

  it('reads an event id as its label', () => {
    expect(eventLabel('run.failed')).toBe('Run failed');
    expect(eventLabel('backup.missed')).toBe('Scheduled backup missed');
  });

  it('shows an event it does not know as its id', () => {
    expect(eventLabel('disk.full')).toBe('disk.full');
  });
});

describe('inFormOrder', () => {
  it('lists events in the order the form shows them, unknown ones last', () => {
    expect(inFormOrder(['backup.missed', 'disk.full', 'run.failed', 'run.succeeded'])).toEqual([
      'run.succeeded',
      'run.failed',
      'backup.missed',
      'disk.full',
    ]);
  });
});
