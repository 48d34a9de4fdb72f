// Archive names from a plan's template, e.g. `{plan}-{now}`. Pure: the workflow renders the name
// from its own start time, so every retry of the backup step uses the same name.

const PLACEHOLDERS = ['plan', 'now', 'date', 'hostname'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

export const DEFAULT_ARCHIVE_TEMPLATE = '{plan}-{now}';

export class ArchiveTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveTemplateError';
  }
}

/** Checks a template; returns a sentence describing the first problem, or undefined. */
export function templateProblem(template: string): string | undefined {
  if (template.trim() === '') return 'the archive name template is empty';
  if (template.includes('/')) return 'archive names may not contain "/"';
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(match[1] as Placeholder)) {
      return `unknown placeholder {${match[1]}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`;
    }
  }
  if (!template.includes('{now}')) return 'the template needs {now} so each archive is unique';
  return undefined;
}

export function renderArchiveName(
  template: string,
  values: { plan: string; now: Date; hostname?: string },
): string {
  const problem = templateProblem(template);
  if (problem) throw new ArchiveTemplateError(problem);
  const iso = values.now.toISOString();
  const replacements: Record<Placeholder, string> = {
    plan: safeNamePart(values.plan),
    now: iso.slice(0, 19),
    date: iso.slice(0, 10),
    hostname: safeNamePart(values.hostname ?? 'worker'),
  };

  return template.replace(/\{(\w+)\}/g, (_, key: Placeholder) => replacements[key]);
}

/** The glob matching every archive the template can produce for this plan (for prune). */
export function archiveGlob(template: string, plan: string): string {
  return template
    .replace(/\{plan\}/g, safeNamePart(plan))
    .replace(/\{\w+\}/g, '*')
    .replace(/\*+/g, '*');
}

function safeNamePart(value: string): string {
  return value.trim().replace(/[^\w.-]+/g, '-');
}
