/**
 * Vega-Lite specs in the spirit of DVC's default plot templates (dvc-render: linear, simple,
 * scatter, smooth, confusion, confusion_normalized, bar_horizontal, bar_horizontal_sorted). Every
 * row carries `rev` (the revision) and `series` (revision/file/column when there are several), which
 * colour the marks so that `plots diff` overlays revisions as DVC does.
 */
export const TEMPLATES = [
  'linear',
  'simple',
  'scatter',
  'smooth',
  'confusion',
  'confusion_normalized',
  'bar_horizontal',
  'bar_horizontal_sorted',
] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface TemplateInput {
  title: string;
  x: string;
  y: string;
  xLabel: string;
  yLabel: string;
  values: Record<string, unknown>[];
  /** Field that tells series apart ('rev' or 'series'). */
  color: string;
}

type Spec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export function renderTemplate(name: TemplateName, t: TemplateInput): Spec {
  const base: Spec = { $schema: SCHEMA, data: { values: t.values }, title: t.title, width: 300, height: 300 };
  const x = { field: t.x, type: 'quantitative', title: t.xLabel };
  const y = { field: t.y, type: 'quantitative', title: t.yLabel, scale: { zero: false } };
  const color = { field: t.color, type: 'nominal' };
  switch (name) {
    case 'simple':
      return { ...base, mark: { type: 'line' }, encoding: { x, y, color } };
    case 'scatter':
      return { ...base, mark: { type: 'point', tooltip: { content: 'data' } }, encoding: { x, y, color } };
    case 'smooth':
      return {
        ...base,
        transform: [{ loess: t.y, on: t.x, groupby: [t.color], bandwidth: 0.3 }],
        mark: { type: 'line' },
        encoding: { x, y, color },
      };
    case 'confusion':
    case 'confusion_normalized': {
      const normalized = name === 'confusion_normalized';
      const value = normalized ? 'percent_of_y' : 'xy_count';
      return {
        $schema: SCHEMA,
        data: { values: t.values },
        title: t.title,
        facet: { field: t.color, type: 'nominal' },
        spec: {
          width: 300,
          height: 300,
          transform: [
            { aggregate: [{ op: 'count', as: 'xy_count' }], groupby: [t.y, t.x] },
            { impute: 'xy_count', groupby: [t.x], key: t.y, value: 0 },
            { joinaggregate: [{ op: 'sum', field: 'xy_count', as: 'sum_y' }], groupby: [t.y] },
            { calculate: 'datum.xy_count / datum.sum_y', as: 'percent_of_y' },
          ],
          encoding: {
            x: { field: t.x, type: 'nominal', sort: 'ascending', title: t.xLabel },
            y: { field: t.y, type: 'nominal', sort: 'ascending', title: t.yLabel },
          },
          layer: [
            {
              mark: 'rect',
              encoding: { color: { field: value, type: 'quantitative', title: normalized ? 'percent' : 'count' } },
            },
            {
              mark: 'text',
              encoding: {
                text: { field: value, type: 'quantitative', format: normalized ? '.2f' : '' },
                color: { condition: { test: `datum.${value} > 0.5 * ${normalized ? 1 : 'datum.sum_y'}`, value: 'white' }, value: 'black' },
              },
            },
          ],
        },
      };
    }
    case 'bar_horizontal':
    case 'bar_horizontal_sorted':
      return {
        ...base,
        mark: { type: 'bar' },
        encoding: {
          x: { field: t.x, type: 'quantitative', title: t.xLabel },
          y: {
            field: t.y,
            type: 'nominal',
            title: t.yLabel,
            ...(name === 'bar_horizontal_sorted' ? { sort: '-x' } : {}),
          },
          yOffset: { field: t.color },
          color,
        },
      };
    default:
      return {
        ...base,
        encoding: { x, y, color },
        layer: [
          { mark: { type: 'line' } },
          {
            params: [{ name: 'hover', select: { type: 'point', on: 'pointerover', nearest: true, clear: 'pointerout', encodings: ['x'] } }],
            mark: { type: 'point', filled: true, tooltip: { content: 'data' } },
            encoding: { opacity: { condition: { param: 'hover', empty: false, value: 1 }, value: 0.3 } },
          },
        ],
      };
  }
}
