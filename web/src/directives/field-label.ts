import type { Directive } from 'vue';

/** The id of a visible label, or a text for a control that has no visible label of its own. */
export type FieldLabel = string | { text: string };

// naive-ui 2.45 renders a select's focusable trigger and its option menu as plain <div>s without
// roles, and NInputNumber's steppers as icon-only buttons. A <label for> reaches none of them, so
// the directive adds the roles and names that a native <select> or <input type=number> has.
const SELECT_TRIGGER = '.n-base-selection-label, .n-base-selection-tags';
const SELECT_SEARCH = 'input.n-base-selection-input, input.n-base-selection-input-tag__input';
const SELECT_MENU = '.n-base-select-menu';
const SELECT_OPTION = '.n-base-select-option';
const STEPPER = '.n-input-number .n-input__suffix button, .n-input-number .n-input__prefix button';

interface Binding {
  label: FieldLabel;
  observer: MutationObserver;
  onKeydown: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

const bindings = new WeakMap<HTMLElement, Binding>();
let generatedIds = 0;

function ensureId(element: Element, kind: string): string {
  if (!element.id) {
    generatedIds += 1;
    element.id = `field-${kind}-${generatedIds}`;
  }
  return element.id;
}

function name(element: Element, label: FieldLabel): void {
  if (typeof label === 'string') element.setAttribute('aria-labelledby', label);
  else element.setAttribute('aria-label', label.text);
}

/** The open menu drawn under `trigger`: menus live in <body>, away from their select. */
function openMenuOf(trigger: Element): HTMLElement | null {
  const left = trigger.getBoundingClientRect().left;
  const shown = [...document.querySelectorAll<HTMLElement>(SELECT_MENU)].filter(
    (menu) => menu.getClientRects().length > 0,
  );
  shown.sort(
    (a, b) =>
      Math.abs(a.getBoundingClientRect().left - left) -
      Math.abs(b.getBoundingClientRect().left - left),
  );
  return shown[0] ?? null;
}

function describeMenu(root: HTMLElement, trigger: Element, label: FieldLabel): void {
  const isOpen = root.querySelector('.n-base-selection--active') !== null;
  const menu = isOpen ? openMenuOf(trigger) : null;
  const focusables = [trigger, ...root.querySelectorAll(SELECT_SEARCH)];
  trigger.setAttribute('aria-expanded', String(menu !== null));
  if (!menu) {
    for (const element of focusables) element.removeAttribute('aria-activedescendant');
    return;
  }

  menu.setAttribute('role', 'listbox');
  name(menu, label);
  trigger.setAttribute('aria-controls', ensureId(menu, 'menu'));
  for (const option of menu.querySelectorAll(SELECT_OPTION)) {
    ensureId(option, 'option');
    option.setAttribute('role', 'option');
    const isSelected = option.classList.contains('n-base-select-option--selected');
    option.setAttribute('aria-selected', String(isSelected));
  }
  // The highlighted option follows the arrow keys while focus stays on the select.
  const pending = menu.querySelector('.n-base-select-option--pending');
  for (const element of focusables) {
    if (pending) element.setAttribute('aria-activedescendant', pending.id);
    else element.removeAttribute('aria-activedescendant');
  }
}

function apply(root: HTMLElement, label: FieldLabel): void {
  for (const trigger of root.querySelectorAll(SELECT_TRIGGER)) {
    trigger.setAttribute('role', 'combobox');
    trigger.setAttribute('aria-haspopup', 'listbox');
    name(trigger, label);
    describeMenu(root, trigger, label);
  }
  for (const search of root.querySelectorAll(SELECT_SEARCH)) name(search, label);
  const steppers = [...root.querySelectorAll(STEPPER)];
  // NInputNumber puts the minus button before the plus button.
  steppers.forEach((stepper, index) =>
    stepper.setAttribute('aria-label', index === steppers.length - 1 ? 'Increase' : 'Decrease'),
  );
}

// Naive UI patches its own DOM after the event that changed it; wait for that patch.
function schedule(root: HTMLElement): void {
  const binding = bindings.get(root);
  if (!binding || binding.timer !== undefined) return;
  binding.timer = setTimeout(() => {
    binding.timer = undefined;
    apply(root, binding.label);
  }, 0);
}

/**
 * `v-field-label="labelId"` names a Naive UI select or number input after a visible label, the
 * way `<label for>` names a native control, and keeps an open select's menu described as a
 * listbox whose highlighted option a screen reader can follow.
 */
export const vFieldLabel: Directive<HTMLElement, FieldLabel> = {
  mounted(root, { value }) {
    const onKeydown = () => schedule(root);
    // Opening, closing and focusing a select all show up as class changes inside it.
    const observer = new MutationObserver(() => schedule(root));
    observer.observe(root, { attributes: true, attributeFilter: ['class'], subtree: true });
    root.addEventListener('keydown', onKeydown);
    bindings.set(root, { label: value, observer, onKeydown });
    apply(root, value);
  },
  updated(root, { value }) {
    const binding = bindings.get(root);
    if (binding) binding.label = value;
    apply(root, value);
  },
  beforeUnmount(root) {
    const binding = bindings.get(root);
    if (!binding) return;
    binding.observer.disconnect();
    root.removeEventListener('keydown', binding.onKeydown);
    clearTimeout(binding.timer);
    bindings.delete(root);
  },
};
