// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { NInputNumber, NSelect } from 'naive-ui';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h, nextTick, withDirectives } from 'vue';
import { vFieldLabel, type FieldLabel } from './field-label';

const OPTIONS = [
  { label: 'Daily', value: 'daily' },
  { label: 'Weekly', value: 'weekly' },
];

function mountLabelled(control: 'select' | 'number', label: FieldLabel, disabled = false) {
  const Field = defineComponent({
    render: () => [
      h('label', { id: 'field-label' }, 'How often'),
      withDirectives(
        control === 'select'
          ? h(NSelect, { value: 'daily', options: OPTIONS, disabled, 'data-testid': 'control' })
          : h(NInputNumber, { value: 3, disabled, 'data-testid': 'control' }),
        [[vFieldLabel, label]],
      ),
    ],
  });
  return mount(Field, { attachTo: document.body });
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('vFieldLabel', () => {
  it('turns the focusable part of a select into a combobox named by the label', () => {
    const wrapper = mountLabelled('select', 'field-label');
    const trigger = wrapper.get('.n-base-selection-label');
    expect(trigger.attributes('role')).toBe('combobox');
    expect(trigger.attributes('aria-labelledby')).toBe('field-label');
    expect(trigger.attributes('aria-haspopup')).toBe('listbox');
    expect(trigger.attributes('aria-expanded')).toBe('false');
  });

  it('names a select without a visible label by the text it is given', () => {
    const wrapper = mountLabelled('select', { text: 'Repository shown in the chart' });
    const trigger = wrapper.get('.n-base-selection-label');
    expect(trigger.attributes('aria-label')).toBe('Repository shown in the chart');
    expect(trigger.attributes('aria-labelledby')).toBeUndefined();
  });

  it('keeps the role and name on a disabled select, which takes no focus', () => {
    const wrapper = mountLabelled('select', 'field-label', true);
    const trigger = wrapper.get('.n-base-selection-label');
    expect(trigger.attributes('tabindex')).toBeUndefined();
    expect(trigger.attributes('role')).toBe('combobox');
  });

  it('names the steppers of a number input', () => {
    const wrapper = mountLabelled('number', 'field-label');
    const labels = wrapper.findAll('button').map((button) => button.attributes('aria-label'));
    expect(labels).toEqual(['Decrease', 'Increase']);
  });

  it('follows a new label when the bound value changes', async () => {
    const Field = defineComponent({
      props: { label: { type: String, required: true } },
      setup: (props) => () =>
        withDirectives(h(NSelect, { value: null, options: OPTIONS }), [[vFieldLabel, props.label]]),
    });
    const wrapper = mount(Field, { props: { label: 'first' }, attachTo: document.body });
    await wrapper.setProps({ label: 'second' });
    await nextTick();
    expect(wrapper.get('.n-base-selection-label').attributes('aria-labelledby')).toBe('second');
  });
});
