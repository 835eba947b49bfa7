import { describe, expect, it } from 'vitest';
import { parseShortcut, parseTagName } from '../../../src/registry/names.js';
import { bumpSemver, compareSemver } from '../../../src/registry/semver.js';
import { serializeTagObject, tagObjectId } from '../../../src/registry/tag-object.js';
import { renderTable } from '../../../src/registry/table.js';

describe('GTO tag names', () => {
  it('parses every kind of tag GTO writes', () => {
    expect(parseTagName('churn@v1.0.0')).toEqual({ name: 'churn', action: 'register', version: 'v1.0.0' });
    expect(parseTagName('churn@v1.0.1!')).toEqual({ name: 'churn', action: 'deregister', version: 'v1.0.1' });
    expect(parseTagName('churn#prod#1')).toEqual({ name: 'churn', action: 'assign', stage: 'prod', counter: 1 });
    expect(parseTagName('churn#staging!#3')).toEqual({ name: 'churn', action: 'unassign', stage: 'staging', counter: 3 });
    expect(parseTagName('churn@deprecated')).toEqual({ name: 'churn', action: 'deprecate' });
    expect(parseTagName('models/dvc.yaml=churn@v2.1.0-rc.1+b7')).toEqual({ name: 'models/dvc.yaml:churn', action: 'register', version: 'v2.1.0-rc.1+b7' });
  });
  it('ignores tags that are not in GTO format', () => {
    for (const t of ['v1.0.0', 'churn@1.0.0', 'churn@v1.0', 'churn#', '-churn@v1.0.0', 'churn#prod#x', 'churn@latest']) expect(parseTagName(t)).toBeUndefined();
  });
  it('parses shortcuts', () => {
    expect(parseShortcut('churn#prod')).toEqual({ name: 'churn', stage: 'prod', latest: false, shortcut: true });
    expect(parseShortcut('churn@latest')).toEqual({ name: 'churn', latest: true, shortcut: true });
    expect(parseShortcut('path/to/dvc.yaml:churn@v1.2.3')).toEqual({ name: 'path/to/dvc.yaml:churn', version: 'v1.2.3', latest: false, shortcut: true });
    expect(parseShortcut('churn')).toEqual({ name: 'churn', latest: false, shortcut: false });
  });
});

describe('semver', () => {
  it('orders as semver 2.0 and bumps', () => {
    const sorted = ['v1.0.0', 'v1.0.0-rc.1', 'v0.9.10', 'v1.0.0-alpha', 'v0.9.9', 'v1.0.0-rc.10', 'v1.0.0-rc.2'].sort(compareSemver);
    expect(sorted).toEqual(['v0.9.9', 'v0.9.10', 'v1.0.0-alpha', 'v1.0.0-rc.1', 'v1.0.0-rc.2', 'v1.0.0-rc.10', 'v1.0.0']);
    expect([bumpSemver('v1.2.3', 'major'), bumpSemver('v1.2.3', 'minor'), bumpSemver('v1.2.3', 'patch')]).toEqual(['v2.0.0', 'v1.3.0', 'v1.2.4']);
  });
});

describe('annotated tag objects', () => {
  // Tag ids from the fixture's `git for-each-ref` (real GTO 1.8): the same commit, name, tagger,
  // time and message must give the same object id, i.e. the same bytes.
  const tagger = (minute: number) => `fixture <fixture@example.com> ${1704067200 + minute * 60} +0000`;
  const cases = [
    ['churn@v1.0.0', '5eb47cb767a45cc49da539387e8a0ad8109ec3c8', 15, 'Registering artifact churn version v1.0.0', '83ea205e5065faccb208bb354eb914ecacd77514'],
    ['churn#prod#1', '5eb47cb767a45cc49da539387e8a0ad8109ec3c8', 17, 'Assigning stage prod to artifact churn version v1.0.0', '6cca9d4b1ec9b2d68611d759ffd17aa720241494'],
    ['churn@v1.0.1', '1c3f4b4fdb22123240d37b82a149dc057576fcb0', 19, 'Registering artifact churn version v1.0.1', 'b8f6d9274dc909dbeb0606162122f251e9f80d29'],
    ['churn#staging#2', '1c3f4b4fdb22123240d37b82a149dc057576fcb0', 20, 'Assigning stage staging to artifact churn version v1.0.1', '248ee5570049112321bffde41ab298536c976d8b'],
    ['churn#staging!#3', '1c3f4b4fdb22123240d37b82a149dc057576fcb0', 24, "Unassigning stage 'staging' to artifact 'churn' version 'v1.0.1'", '92beef9584e2e1fd249dde5133a16e4f0479f828'],
    ['churn@v1.0.1!', '1c3f4b4fdb22123240d37b82a149dc057576fcb0', 25, 'Deregistering artifact churn version v1.0.1', 'a7eb729df9d31a6d84d65f64c1cf7656a0d7d269'],
  ] as const;
  it.each(cases)('%s has the id GTO gave it', (tag, object, minute, message, id) => {
    expect(tagObjectId(serializeTagObject({ object, tag, tagger: tagger(minute), message }))).toBe(id);
  });
});

describe('tables as tabulate draws them', () => {
  it('fancy_outline and plain', () => {
    expect(renderTable(['name', 'latest', '#prod'], [['churn', 'v1.0.0', 'v1.0.0']])).toBe(
      '╒════════╤══════════╤═════════╕\n│ name   │ latest   │ #prod   │\n╞════════╪══════════╪═════════╡\n│ churn  │ v1.0.0   │ v1.0.0  │\n╘════════╧══════════╧═════════╛',
    );
    expect(renderTable(['name', 'latest', '#prod'], [['churn', 'v1.0.0', 'v1.0.0']], 'plain')).toBe('name    latest    #prod\nchurn   v1.0.0    v1.0.0');
  });
});
