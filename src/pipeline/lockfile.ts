/** dvc.lock's model and codec live in core/formats/dvclock.ts (versioning reads it too). */
export {
  LOCK_SCHEMA,
  type LockFile,
  type LockItem,
  type LockStage,
  emptyLock,
  makeLockStage,
  parseLock,
  serializeLock,
  stageToYaml,
} from '../core/formats/dvclock.js';
