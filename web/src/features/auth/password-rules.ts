export const MIN_PASSWORD_LENGTH = 12;

/** Shown before the user types, so nobody has to guess the rules from a rejection. */
export const PASSWORD_RULES = [
  `At least ${MIN_PASSWORD_LENGTH} characters long.`,
  'Not the same as your username.',
  'Not a well-known password (such as "password123" or "admin").',
  'Different from your current password.',
];

const WELL_KNOWN = new Set([
  'password',
  'password1',
  'password12',
  'password123',
  'password1234',
  '123456789012',
  '1234567890ab',
  'qwertyuiopas',
  'adminadmin12',
  'administrator',
  'changeme1234',
  'letmein12345',
  'borgflowadmin',
  'borgbackup123',
]);

/** The same checks the server applies, run early so mistakes show while typing. */
export function passwordProblems(password: string, username: string, current = ''): string[] {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(PASSWORD_RULES[0]);
  if (username && password.toLowerCase() === username.toLowerCase()) {
    problems.push(PASSWORD_RULES[1]);
  }
  if (WELL_KNOWN.has(password.toLowerCase())) problems.push(PASSWORD_RULES[2]);
  if (current && password === current) problems.push(PASSWORD_RULES[3]);
  return problems;
}
