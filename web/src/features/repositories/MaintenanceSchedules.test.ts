// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MaintenanceSchedule } from '../../api/maintenance-schedules';
import type { Role } from '../../api/types';
import { mountAs, testIds } from '../../testing/mount-with-providers';
import MaintenanceSchedules from './MaintenanceSchedules.vue';

const WRITE_CONTROLS = [
  'schedule-add-check',
  'schedule-add-prune',
  'schedule-edit',
  'schedule-delete',
];

const SCHEDULES: MaintenanceSchedule[] = [
  {
    id: 'schedule-check',
    repositoryId: 'repo-1',
    kind: 'check',
    cron: '0 4 * * 0',
    timezone: 'Europe/Paris',
    enabled: true,
    jitterSeconds: null,
    options: { verifyData: true },
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    nextRuns: ['2026-12-06T03:00:00.000Z'],
    skippedForOverlap: 0,
  },
  {
    id: 'schedule-prune',
    repositoryId: 'repo-1',
    kind: 'prune',
    cron: '30 5 * * *',
    timezone: 'UTC',
    enabled: false,
    jitterSeconds: 600,
    options: { retention: { keepDaily: 7 } },
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    nextRuns: [],
    skippedForOverlap: 2,
  },
];

interface SentRequest {
  method: string;
  url: string;
  body: unknown;
}

/** A fake of the API: answers the list with SCHEDULES and echoes writes, recording each call. */
function fakeApi(): SentRequest[] {
  const sent: SentRequest[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    sent.push({ method, url, body });
    if (method === 'DELETE') return Promise.resolve(new Response(null, { status: 204 }));
    const answer =
      method === 'GET' ? { schedules: SCHEDULES } : { ...SCHEDULES[0], ...(body as object) };
    return Promise.resolve(
      new Response(JSON.stringify(answer), {
        status: method === 'POST' ? 201 : 200,
        headers: { 'content-type': 'application/json' },
      }),
    );
  });
  return sent;
}

async function mountFor(role: Role) {
  const wrapper = await mountAs(role, MaintenanceSchedules, { repositoryId: 'repo-1' });
  await flushPromises();
  return wrapper;
}

let sent: SentRequest[];

beforeEach(() => {
  sent = fakeApi();
});

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('MaintenanceSchedules', () => {
  it('lists each schedule in words with its next run, or paused', async () => {
    const wrapper = await mountFor('viewer');

    const rows = wrapper.findAll('[data-testid="schedule-row"]');
    expect(rows).toHaveLength(2);
    expect(rows[0].get('[data-testid="schedule-timetable"]').text()).toBe(
      'At 04:00, only on Sunday',
    );
    expect(rows[0].get('[data-testid="schedule-options"]').text()).toBe(
      'Full check, verifies all data',
    );
    expect(rows[0].get('[data-testid="schedule-next-run"]').text()).toContain('2026');
    expect(rows[1].get('[data-testid="schedule-next-run"]').text()).toContain('Paused');
    expect(rows[1].text()).toContain('2 skipped');
    expect(sent[0]).toMatchObject({ method: 'GET', url: '/api/repositories/repo-1/schedules' });
  });

  it.each(['viewer', 'operator'] as const)(
    'hides write controls from a %s and keeps the switches read-only',
    async (role) => {
      const wrapper = await mountFor(role);

      expect(testIds(wrapper).filter((id) => WRITE_CONTROLS.includes(id))).toEqual([]);
      const switches = wrapper.findAll('[data-testid="schedule-enabled"]');
      expect(switches).toHaveLength(2);
      for (const control of switches) expect(control.classes()).toContain('n-switch--disabled');
      await switches[0].trigger('click');
      await flushPromises();
      expect(sent.filter((request) => request.method !== 'GET')).toEqual([]);
    },
  );

  it('lets an admin pause a schedule through its labelled switch', async () => {
    const wrapper = await mountFor('admin');
    const ids = testIds(wrapper);
    expect(WRITE_CONTROLS.every((id) => ids.includes(id))).toBe(true);

    const toggle = wrapper.findAll('[data-testid="schedule-enabled"]')[0];
    expect(toggle.attributes('aria-label')).toBe(
      'Check schedule “At 04:00, only on Sunday” enabled',
    );
    await toggle.trigger('click');
    await flushPromises();

    expect(sent).toContainEqual({
      method: 'PATCH',
      url: '/api/maintenance-schedules/schedule-check',
      body: { enabled: false },
    });
  });

  it('labels every field of the dialog so screen readers can name it', async () => {
    const wrapper = await mountFor('admin');
    await wrapper.get('[data-testid="schedule-add-check"]').trigger('click');
    await flushPromises();
    const checkForm = document.querySelector('[data-testid="schedule-form"]');
    expect(checkForm).not.toBeNull();
    expectLabelled(checkForm!);

    const pruneRadio = [...checkForm!.querySelectorAll('input[type="radio"]')].find(
      (input) => (input as HTMLInputElement).value === 'prune',
    ) as HTMLInputElement;
    pruneRadio.click();
    await flushPromises();
    const pruneForm = document.querySelector('[data-testid="schedule-form"]')!;
    expect(pruneForm.querySelector('[data-testid="schedule-glob"]')).not.toBeNull();
    expectLabelled(pruneForm);
  });

  it('creates a check with the fields of the dialog', async () => {
    const wrapper = await mountFor('admin');
    await wrapper.get('[data-testid="schedule-add-check"]').trigger('click');
    await flushPromises();
    const form = document.querySelector('[data-testid="schedule-form"]') as HTMLFormElement;
    const timezone = form.querySelector('[data-testid="schedule-timezone"] input')!;
    setInput(timezone as HTMLInputElement, 'UTC');
    setInput(form.querySelector('[data-testid="schedule-cron"] input')!, '15 2 * * 1');
    await flushPromises();

    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await flushPromises();

    expect(sent).toContainEqual({
      method: 'POST',
      url: '/api/repositories/repo-1/schedules',
      body: {
        kind: 'check',
        cron: '15 2 * * 1',
        timezone: 'UTC',
        jitterSeconds: null,
        options: {},
      },
    });
  });
});

function setInput(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Every input has a label pointing at it; every radio group names its label by id. */
function expectLabelled(form: Element): void {
  const inputs = [...form.querySelectorAll('input:not([type="radio"]):not([type="checkbox"])')];
  expect(inputs.length).toBeGreaterThan(0);
  for (const input of inputs) {
    expect(input.id, input.outerHTML).not.toBe('');
    const label = form.querySelector(`label[for="${input.id}"]`);
    expect(label?.textContent?.trim(), `label for ${input.id}`).toBeTruthy();
  }
  const groups = [...form.querySelectorAll('[role="radiogroup"], [role="group"]')];
  for (const group of groups) {
    const labelId = group.getAttribute('aria-labelledby') ?? '';
    expect(document.getElementById(labelId)?.textContent?.trim(), labelId).toBeTruthy();
  }
}
