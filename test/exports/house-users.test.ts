import { describe, expect, it } from 'vitest';
import { canonicalHouseUserId, HOUSE_CRMS, HOUSE_ID_FORMS } from '../../src/exports/house-users.ts';

describe('House user id errors', () => {
  it.each(HOUSE_CRMS)('the example a %s error gives is an id the setting accepts', (crm) => {
    const example = /such as (\S+)$/.exec(HOUSE_ID_FORMS[crm])![1]!;
    expect(canonicalHouseUserId(crm, example)).toMatchObject({ ok: true });
  });
});
