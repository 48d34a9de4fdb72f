import { useId } from 'vue';

/** The ids that tie one visible label to the control it names. */
export interface FieldIds {
  /** Goes on the control: `input-props="{ id }"` for NInput and NInputNumber. */
  id: string;
  /** The label's own id, for controls a `for` attribute cannot reach (NSelect, NSwitch…). */
  labelId: string;
  /** For NFormItem's `label-props`: names the input through `for` and gives the label its id. */
  labelProps: { for: string; id: string };
}

/**
 * Ids for the labelled fields of one component instance, unique on the page even when the
 * component is shown twice (two hook rows, two dialogs).
 */
export function useFieldIds(): { field: (name: string) => FieldIds } {
  const prefix = useId();

  function field(name: string): FieldIds {
    const id = `${prefix}-${name}`;
    const labelId = `${id}-label`;
    return { id, labelId, labelProps: { for: id, id: labelId } };
  }

  return { field };
}
