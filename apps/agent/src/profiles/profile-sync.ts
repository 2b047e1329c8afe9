import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore, writeFileAtomic } from '../checkpoint/checkpoint-store.js';
import type { Assignment, ProfileStatus } from '../service/service-client.js';
import { profileContent, profileFileName } from './profile-file-name.js';

interface Manifest {
  files: string[];
}

const isManifest = (value: unknown): value is Manifest =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as Manifest).files) &&
  (value as Manifest).files.every((f) => typeof f === 'string');

/**
 * Writes assigned seccomp profiles into the profiles folder (atomically, 0644) and removes the
 * ones no longer assigned, touching only files listed in its own manifest.
 */
export class ProfileSync {
  private readonly manifest: CheckpointStore<Manifest>;

  constructor(
    private readonly dir: string,
    stateDir: string,
  ) {
    this.manifest = new CheckpointStore(join(stateDir, 'profiles-manifest.json'), isManifest);
  }

  apply(assignments: readonly Assignment[]): ProfileStatus[] {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    const statuses: ProfileStatus[] = [];
    const written = new Set<string>();
    for (const assignment of assignments) {
      const policy = String(assignment.policy);
      try {
        const file = profileFileName(policy);
        const content = profileContent(assignment.profile);
        const path = join(this.dir, file);
        writeFileAtomic(path, content, 0o644);
        chmodSync(path, 0o644); // umask must not narrow what the runtime needs to read
        written.add(file);
        const sha256 = createHash('sha256').update(content).digest('hex');
        statuses.push({ policy, sha256: assignment.sha256 ?? sha256, path });
      } catch (error) {
        statuses.push({ policy, error: (error as Error).message });
      }
    }
    for (const file of this.manifest.load()?.files ?? []) {
      // Names come from our own manifest, still checked: a tampered manifest must not delete elsewhere.
      if (!written.has(file) && /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(file))
        rmSync(join(this.dir, file), { force: true });
    }
    this.manifest.save({ files: [...written] });
    return statuses;
  }
}
