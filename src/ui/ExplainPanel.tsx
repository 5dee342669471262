/**
 * "Why did it say that?": attribution maps of the inspected image for any class, method and stage, with the
 * evidence for trusting them (faithfulness curves, a method comparison, the sanity check) and export.
 */
import { useRef } from 'react';

import { EXPLAIN_METHODS, explainMethodSpec, isSweep } from '../shared/explain';
import type { ExplainMap, ExplainMethod, StageChoice } from '../shared/explain';
import { formatMs } from '../shared/format';
import { OpacitySlider } from './OpacitySlider';
import { IMAGENET_LABELS } from '../shared/imagenetLabels';
import { useAppStore } from '../store';
import { explanationFileName, requestedStages } from '../store/explainSlice';
import type { ExplainJobStatus } from '../store/explainSlice';
import {
  useCamOpacity,
  useExplainChoices,
  useExplainComparison,
  useExplainFaithfulness,
  useExplainSanity,
  useExplainStages,
  useExplainTarget,
  useExplanation,
} from '../store/hooks';
import { saveToDisk } from '../store/saveToDisk';
import { ClassSearch } from './ClassSearch';
import { ExplainJobNote } from './ExplainJobNote';
import { ExplainMapCanvas } from './ExplainMapCanvas';
import { ExplainProgress } from './ExplainProgress';
import { FaithfulnessView } from './FaithfulnessView';
import { MethodComparison } from './MethodComparison';
import { SanityStrip } from './SanityStrip';
import { SelectField } from './SelectField';
import type { SelectOption } from './SelectField';

const METHOD_OPTIONS: readonly SelectOption<ExplainMethod>[] = EXPLAIN_METHODS.map((m) => ({
  value: m.id,
  label: m.label,
}));

const SHOWN: readonly ExplainJobStatus[] = ['queued', 'running', 'done'];
const fmt = (v: number) => (Math.abs(v) >= 100 || Math.abs(v) < 0.01 ? v.toExponential(2) : v.toFixed(3));

const className = (i: number) => IMAGENET_LABELS[i] ?? `class ${i}`;

interface Props {
  /** The 224x224 input the network saw: every map is drawn over it. */
  input: ImageBitmap;
}

export function ExplainPanel({ input }: Props) {
  const { method, active } = useExplainChoices();
  const target = useExplainTarget();
  const stages = useExplainStages();
  const explanation = useExplanation();
  const modelChanging = useAppStore((s) => s.modelStatus === 'loading');
  const faithfulness = useExplainFaithfulness();
  const comparison = useExplainComparison();
  const sanity = useExplainSanity();
  const opacity = useCamOpacity();
  const setMethod = useAppStore((s) => s.setExplainMethod);
  const setStage = useAppStore((s) => s.setExplainStage);
  const setClass = useAppStore((s) => s.setExplainClass);
  const explain = useAppStore((s) => s.requestExplanation);
  const measure = useAppStore((s) => s.requestFaithfulness);
  const compare = useAppStore((s) => s.compareExplainMethods);
  const checkSanity = useAppStore((s) => s.requestSanityCheck);
  const exportJson = useAppStore((s) => s.exportExplanationJson);
  const maps = useRef<HTMLDivElement>(null);

  const spec = explainMethodSpec(method);
  const inputLevel = spec.stages === 'input';
  const stageOptions: SelectOption<StageChoice | 'input'>[] = inputLevel
    ? [{ value: 'input', label: 'input pixels' }]
    : [
        ...stages.map((s) => ({ value: s, label: s })),
        ...(spec.stages === 'any' ? [{ value: 'all' as const, label: 'all stages (sweep)' }] : []),
      ];
  const stageValue = inputLevel ? 'input' : (target?.stage ?? stages.at(-1) ?? 'input');
  const oneStage = target !== null && target.stage !== 'all';
  const shownRequest = explanation?.request;
  const isShown =
    !!explanation &&
    !!target &&
    SHOWN.includes(explanation.status) &&
    shownRequest?.method === target.method &&
    shownRequest.stage === target.stage &&
    shownRequest.classIndex === target.classIndex;
  const done = explanation?.status === 'done' ? explanation.result : null;
  const busy = explanation?.status === 'queued' || explanation?.status === 'running';

  /** The maps as one PNG: the composite canvas, or a sweep's side by side. */
  const exportPng = () => {
    const canvases = [
      ...(maps.current?.querySelectorAll<HTMLCanvasElement>('canvas[data-testid="explain-map"]') ?? []),
    ];
    if (canvases.length === 0) return;
    const gap = 8;
    let sheet = canvases[0]!;
    if (canvases.length > 1) {
      sheet = document.createElement('canvas');
      sheet.width = canvases.reduce((w, c) => w + c.width, 0) + gap * (canvases.length - 1);
      sheet.height = Math.max(...canvases.map((c) => c.height));
      const ctx = sheet.getContext('2d')!;
      let x = 0;
      for (const c of canvases) {
        ctx.drawImage(c, x, 0);
        x += c.width + gap;
      }
    }
    const name = `${explanationFileName(useAppStore.getState())}.png`;
    sheet.toBlob((blob) => {
      if (blob) saveToDisk(name, blob, 'image/png');
    }, 'image/png');
  };

  // A sweep's maps come from shared passes (the engine splits the time evenly): its time is shown once.
  const sweep = (done?.length ?? 0) > 1;
  const mapFigure = (
    key: string,
    stage: string,
    request: { method: ExplainMethod; classIndex: number },
    map: ExplainMap | null,
  ) => {
    const label = explainMethodSpec(request.method).label;
    return (
      <figure key={key} className={`explain-map${map ? '' : ' explain-map--running'}`}>
        <ExplainMapCanvas
          input={input}
          overlay={map?.bitmap ?? null}
          opacity={opacity}
          className="explain-map__canvas"
          data-testid="explain-map"
          data-method={request.method}
          data-stage={stage}
          data-class-index={request.classIndex}
          data-state={map ? 'done' : 'running'}
          data-height={map?.height}
          data-width={map?.width}
          role="img"
          aria-label={`${label} at ${stage} for “${className(request.classIndex)}”${map ? '' : ' (computing)'}`}
          aria-busy={!map}
        />
        <figcaption>
          <strong>{stage}</strong>
          <span>{label}</span>
          <span className="muted small explain-map__meta">
            {map ? `${map.height}×${map.width} map${sweep ? '' : ` · ${formatMs(map.ms)}`}` : 'computing…'}
          </span>
        </figcaption>
        {map?.completeness && (
          <p
            className="explain-map__completeness small"
            data-testid="explain-completeness"
            data-attribution-sum={map.completeness.attributionSum}
            data-score-difference={map.completeness.scoreDifference}
          >
            {completenessText(map.completeness.attributionSum, map.completeness.scoreDifference)}
          </p>
        )}
      </figure>
    );
  };

  return (
    <section className="explain" data-testid="explain" aria-labelledby="explain-title">
      <header className="explain__header">
        <h3 id="explain-title">Why did it say that?</h3>
        <p className="small muted">
          Which parts of the input raised the score of a class, by the method and at the stage you choose.
        </p>
      </header>

      <div className="explain__controls">
        <SelectField
          label="Method"
          testId="explain-method"
          value={method}
          options={METHOD_OPTIONS}
          onChange={setMethod}
        />
        <SelectField
          label="Stage"
          testId="explain-stage"
          value={stageValue}
          options={stageOptions}
          disabled={spec.stages !== 'any'}
          onChange={(v) => {
            if (v !== 'input') setStage(v);
          }}
        />
        <ClassSearch classIndex={target?.classIndex ?? null} onChoose={setClass} />
        <button
          type="button"
          className="button button--primary explain__run"
          data-testid="explain-run"
          disabled={!target || isShown}
          onClick={() => void explain()}
        >
          Explain
        </button>
        <OpacitySlider className="field explain__opacity" testId="explain-opacity">
          <span className="field__label">Overlay {Math.round(opacity * 100)}%</span>
        </OpacitySlider>
      </div>
      <p className="small muted explain__hint" data-testid="explain-hint">
        {spec.hint}
      </p>

      <ExplainProgress />

      {explanation?.status === 'cancelled' && (
        <p className="explain__note small" role="status" data-testid="explain-cancelled">
          {modelChanging ? (
            // Stopped by the engine for the new model, not by the user: it comes back by itself.
            <>
              Stopped while the model changes.{' '}
              <span className="muted">It is drawn again once the new model is ready.</span>
            </>
          ) : (
            <>
              Cancelled. <span className="muted">Change a choice or press Explain again to run it anew.</span>
            </>
          )}
        </p>
      )}
      {explanation?.status === 'error' && (
        <p className="card__error" role="alert" data-testid="error">
          Could not explain: {explanation.error}
        </p>
      )}

      <div
        className={`explain__maps${explanation && isSweep(explanation.request) ? ' explain__maps--sweep' : ''}`}
        ref={maps}
        aria-live="polite"
        aria-busy={busy}
      >
        {explanation && busy
          ? requestedStages(explanation.request, stages).map((stage) =>
              mapFigure(stage, stage, explanation.request, null),
            )
          : done?.map((m) => mapFigure(m.stage, m.stage, m, m))}
        {!explanation && (
          <p className="small muted explain__empty">
            {active ? 'Waiting for the image…' : 'Choose a method, a stage and a class, then press Explain.'}
          </p>
        )}
      </div>

      {sweep && done && (
        <p className="small muted explain__sweep-time">
          All {done.length} stages in {formatMs(done.reduce((sum, m) => sum + m.ms, 0))}.
        </p>
      )}

      <div className="explain__actions" role="group" aria-label="With the explanation shown">
        <button
          type="button"
          className="button"
          data-testid="explain-export-json"
          disabled={!done}
          onClick={exportJson}
          title="The map's values, row-major at its own resolution (a sweep: one entry per stage)"
        >
          Export JSON
        </button>
        <button
          type="button"
          className="button"
          data-testid="explain-export-png"
          disabled={!done}
          onClick={exportPng}
        >
          Export PNG
        </button>
        <button
          type="button"
          className="button"
          data-testid="faithfulness-run"
          disabled={!oneStage}
          title={oneStage ? undefined : 'Faithfulness needs one stage, not a sweep'}
          onClick={() => void measure()}
        >
          Measure faithfulness
        </button>
        <button
          type="button"
          className="button"
          data-testid="faithfulness-compare-run"
          disabled={!oneStage}
          title={oneStage ? undefined : 'Faithfulness needs one stage, not a sweep'}
          onClick={() => void compare()}
        >
          Compare all methods
        </button>
        <button
          type="button"
          className="button"
          data-testid="sanity-check"
          disabled={!oneStage}
          title={oneStage ? undefined : 'The sanity check needs one stage, not a sweep'}
          onClick={() => void checkSanity()}
        >
          Sanity check
        </button>
      </div>

      {(faithfulness || comparison) && (
        <div className="explain__evidence">
          {faithfulness && (
            <div className="explain__block">
              <h4>
                Faithfulness of {explainMethodSpec(faithfulness.request.methods[0]!).label}
                {faithfulness.result ? ` at ${faithfulness.result.stage}` : ''}
              </h4>
              <ExplainJobNote
                status={faithfulness.status}
                error={faithfulness.error}
                what="measure faithfulness"
              />
              {faithfulness.result && <FaithfulnessView curves={faithfulness.result} />}
            </div>
          )}
          {comparison && (
            <div className="explain__block">
              <h4>All methods compared</h4>
              <ExplainJobNote
                status={comparison.status}
                error={comparison.error}
                what="compare the methods"
              />
              {comparison.result && (
                <MethodComparison
                  curves={comparison.result}
                  current={method}
                  caption={`At ${comparison.request.stage} for “${className(comparison.request.classIndex)}” (input-level methods ignore the stage).`}
                />
              )}
            </div>
          )}
        </div>
      )}

      {sanity && (
        <div className="explain__block">
          <h4>
            Sanity check of {explainMethodSpec(sanity.request.method).label} at {sanity.request.stage}
          </h4>
          <p className="small muted">
            From the left: the trained model, then with its weights randomized from the head down to each
            stage (ρ: rank correlation with the trained model&apos;s map).
          </p>
          <ExplainJobNote status={sanity.status} error={sanity.error} what="run the sanity check" />
          {sanity.result && <SanityStrip result={sanity.result} input={input} opacity={opacity} />}
        </div>
      )}
    </section>
  );
}

function completenessText(sum: number, difference: number): string {
  const off = difference === 0 ? null : (Math.abs(sum - difference) / Math.abs(difference)) * 100;
  return `Attributions sum to ${fmt(sum)}; score difference ${fmt(difference)}${off === null ? '' : ` (${off < 0.1 ? off.toFixed(2) : off.toFixed(1)}% off)`}.`;
}
