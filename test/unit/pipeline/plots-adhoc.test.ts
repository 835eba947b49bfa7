import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPlots } from '../../../src/pipeline/plots/show.js';
import { tempRepo } from '../../helpers/tree.js';

/** `plots show FILE -x COL -y COL --template T`: a file dvc.yaml does not declare, plotted ad hoc. */
describe('plots show of an ad-hoc file', () => {
  const repo = tempRepo({
    'dvc.yaml': 'stages:\n  noop:\n    cmd: "true"\n',
    'history.csv': 'epoch,loss,val_loss\n1,0.9,1.0\n2,0.5,0.7\n3,0.3,0.6\n',
  });
  afterAll(() => repo.cleanup());

  it('uses the given columns, template and labels', async () => {
    const result = await renderPlots({ root: repo.dir, targets: ['history.csv'], props: { x: 'epoch', y: 'val_loss', template: 'scatter', title: 'validation' } });
    expect(result.plots).toEqual([{ id: 'history.csv', template: 'scatter', revisions: ['workspace'], points: 3 }]);
    const html = readFileSync(result.path, 'utf8');
    expect(html).toContain('"title":"validation"');
    expect(html).toContain('{"epoch":3,"val_loss":0.6,"rev":"workspace","series":"workspace"}');
  });

  it('without flags: linear, the last column as y', async () => {
    const result = await renderPlots({ root: repo.dir, targets: ['history.csv'] });
    expect(result.plots).toEqual([{ id: 'history.csv', template: 'linear', revisions: ['workspace'], points: 3 }]);
  });

  it('an unknown template is a usage error; a missing file is not found', async () => {
    await expect(renderPlots({ root: repo.dir, targets: ['history.csv'], props: { template: 'pie' } })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(renderPlots({ root: repo.dir, targets: ['nope.csv'] })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
