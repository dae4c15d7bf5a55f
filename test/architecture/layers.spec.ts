import { analyse, MAX_UPWARD } from '../../scripts/layers.mjs';

// docs/architecture.md: the folders of lib/ are layers, and imports go down only.
describe('lib/ layers', () => {
  const { upward, loops, unknown } = analyse();

  it('has no import loop between folders (type-only imports included)', () => {
    expect(loops).toEqual([]);
  });

  it('puts every folder in a layer', () => {
    expect(unknown).toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    expect(upward.map((edge) => `${edge.file} -> ${edge.target}`)).toEqual([]);
    expect(upward.length).toBeLessThanOrEqual(MAX_UPWARD);
  });
});
