// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import RetentionEditor from './RetentionEditor.vue';

const STANDARD = { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 };

function nameOfPresetChoice(): string | undefined {
  const group = document.querySelector('[role="radiogroup"]');
  const labelId = group?.getAttribute('aria-labelledby') ?? '';
  return document.getElementById(labelId)?.textContent?.trim();
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('RetentionEditor', () => {
  it('names its preset choice after the label of the form around it', () => {
    document.body.insertAdjacentHTML('beforeend', '<label id="outer">Keep these</label>');
    mount(RetentionEditor, {
      props: { modelValue: STANDARD, labelId: 'outer' },
      attachTo: document.body,
    });
    expect(nameOfPresetChoice()).toBe('Keep these');
  });

  it('names its preset choice itself when no label is given', () => {
    mount(RetentionEditor, { props: { modelValue: STANDARD }, attachTo: document.body });
    expect(nameOfPresetChoice()).toBe('Archives to keep');
  });

  it('gives the radios of two editors on one page different group names', () => {
    const editor = () => h(RetentionEditor, { modelValue: STANDARD });
    mount(defineComponent({ render: () => [editor(), editor()] }), { attachTo: document.body });
    const names = new Set(
      [...document.querySelectorAll('input[type="radio"]')].map((radio) =>
        radio.getAttribute('name'),
      ),
    );
    expect(names.size).toBe(2);
  });
});
