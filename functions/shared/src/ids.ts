import { uuidv7 } from 'uuidv7';

/** A new UUIDv7: unique and ordered by creation time, good as a primary key. */
export function newId(): string {
  return uuidv7();
}
