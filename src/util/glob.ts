/** Minimal glob matching for config paths: `**` any folders, `*` within a segment, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern naming a folder matches everything inside it too.
  return new RegExp(`^${re}(/.*)?$`);
}

export function matchesGlob(relativePath: string, glob: string): boolean {
  return globToRegExp(glob.replace(/^\.\//, '')).test(relativePath.split('\\').join('/'));
}
