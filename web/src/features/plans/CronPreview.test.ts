// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import CronPreview from './CronPreview.vue';

describe('CronPreview', () => {
  it('shows the description and five upcoming runs', () => {
    const wrapper = mount(CronPreview, { props: { cron: '0 3 * * 0', timeZone: 'Europe/Paris' } });
    expect(wrapper.get('[data-testid="cron-description"]').text()).toBe('At 03:00, only on Sunday');
    expect(wrapper.findAll('[data-testid="cron-next-runs"] li')).toHaveLength(5);
    expect(wrapper.text()).toContain('Europe/Paris');
  });

  it('shows a readable error instead of runs for an invalid expression', () => {
    const wrapper = mount(CronPreview, { props: { cron: 'every day', timeZone: 'UTC' } });
    expect(wrapper.find('[data-testid="cron-next-runs"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="cron-error"]').text()).toContain('five fields');
  });
});
