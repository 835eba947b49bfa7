import { describe, expect, it } from 'vitest';
import { chi2Sf, chiSquareTest, gammaincc, jensenShannon, kolmogorovSf, ksPValue, psi } from '../../../src/data/stats.js';

// Reference values computed with Debian's python3-scipy 1.10 / numpy 1.24 (/usr/bin/python3):
// the exact calls are in the comments; tolerance 1e-12 relative unless stated.
describe('drift statistics match scipy', () => {
  it('kolmogorovSf = scipy.stats.kstwobign.sf', () => {
    expect(kolmogorovSf(0.5)).toBeCloseTo(0.9639452436648751, 12);
    expect(kolmogorovSf(1.2)).toBeCloseTo(0.11224966667072497, 12);
    expect(kolmogorovSf(2.0)).toBeCloseTo(0.0006709252557796953, 14);
  });

  it('ksPValue = kstwobign.sf(D * sqrt(n1 n2 / (n1 + n2))) for ks_2samp(a, b).statistic = 0.39285714285714285', () => {
    expect(ksPValue(0.39285714285714285, 12, 14)).toBeCloseTo(0.27147605850290946, 12);
  });

  it('gammaincc and chi2Sf = scipy.special.gammaincc / scipy.stats.chi2.sf', () => {
    expect(gammaincc(2.5, 1.0)).toBeCloseTo(0.8491450360846096, 12);
    expect(gammaincc(0.5, 3.0)).toBeCloseTo(0.014305878435429641, 12);
    expect(chi2Sf(3.5, 2)).toBeCloseTo(0.1737739434504451, 12);
    expect(chi2Sf(20.0, 7)).toBeCloseTo(0.005569683072945574, 12);
    expect(chi2Sf(0.5, 1)).toBeCloseTo(0.47950012218695337, 12);
  });

  it('chiSquareTest = scipy.stats.chi2_contingency([[30,50,20],[25,40,35]], correction=False)', () => {
    const t = chiSquareTest([30, 50, 20, 0], [25, 40, 35, 0]);
    expect(t.statistic).toBeCloseTo(5.656565656565656, 12);
    expect(t.pValue).toBeCloseTo(0.05911427592751336, 12);
    expect(t.dof).toBe(2);
  });

  it('jensenShannon = scipy.spatial.distance.jensenshannon(p, q) (natural log)', () => {
    expect(jensenShannon([30, 50, 20], [25, 40, 35])).toBeCloseTo(0.11949662207437343, 12);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.log(2)), 12);
  });

  it('psi = sum((q - p) * ln(q / p)) over shares (numpy), zero bins as 0.0001', () => {
    expect(psi([30, 50, 20], [25, 40, 35])).toBeCloseTo(0.11537280116143206, 12);
    expect(psi([1, 0], [1, 0])).toBe(0);
  });
});
