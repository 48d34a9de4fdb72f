// Lets plain TypeScript tooling (ESLint's project service) import single-file components;
// vue-tsc resolves the real component types instead.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
