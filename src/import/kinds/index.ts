/** The handler of each import kind. */
import type { RecordByKind } from '../records.ts';
import type { ImportKind } from '../types.ts';
import { accountsHandler } from './accounts.ts';
import type { KindHandler } from './handler.ts';
import { opportunitiesHandler } from './opportunities.ts';
import { repsHandler } from './reps.ts';
import { schedulesHandler } from './schedules.ts';
import { splitsHandler } from './splits.ts';

export function handlerFor<K extends ImportKind>(kind: K): KindHandler<RecordByKind[K]> {
  const handlers: { [P in ImportKind]: () => KindHandler<RecordByKind[P]> } = {
    accounts: accountsHandler,
    reps: repsHandler,
    opportunities: opportunitiesHandler,
    splits: splitsHandler,
    schedules: schedulesHandler,
  };
  return handlers[kind]() as KindHandler<RecordByKind[K]>;
}
