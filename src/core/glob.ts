// Model-name patterns of the configuration (`monitor.include`, `push.perModel`): `*` and `?`, case-insensitive.

/** `*` any run, `?` one character, everything else literal; whole-string, case-insensitive. */
export function globToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'is');
}
