// Every file under a folder as { path, text }, paths relative to it with `/` — the shape the TMDL
// reader takes (what a local folder and Fabric's getDefinition parts both become).
import { readFileSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';

export function filesIn(dir: string, keep: (name: string) => boolean = () => true): { path: string; text: string }[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      return { path: path.relative(dir, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') };
    });
}
