// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { useFieldIds, type FieldIds } from './useFieldIds';

function captureFields(names: string[]): FieldIds[][] {
  const captured: FieldIds[][] = [];
  const Form = defineComponent({
    setup() {
      const { field } = useFieldIds();
      captured.push(names.map(field));
      return () => h('div');
    },
  });
  mount(defineComponent({ render: () => [h(Form), h(Form)] }));
  return captured;
}

describe('useFieldIds', () => {
  it('ties a label to its control through for, id and the label id', () => {
    const [[name]] = captureFields(['name']);
    expect(name.labelProps).toEqual({ for: name.id, id: name.labelId });
    expect(name.labelId).not.toBe(name.id);
  });

  it('gives two instances of one component different ids for the same field', () => {
    const [first, second] = captureFields(['name']);
    expect(first[0].id).not.toBe(second[0].id);
    expect(first[0].labelId).not.toBe(second[0].labelId);
  });

  it('gives different fields of one instance different ids', () => {
    const [[name, location]] = captureFields(['name', 'location']);
    expect(name.id).not.toBe(location.id);
  });

  it('returns the same ids when a field is asked for again, so re-renders keep them', () => {
    let ids: string[] = [];
    const Form = defineComponent({
      setup() {
        const { field } = useFieldIds();
        ids = [field('name').id, field('name').id];
        return () => h('div');
      },
    });
    mount(Form);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toMatch(/^[\w-]+$/);
  });
});
