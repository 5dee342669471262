/**
 * "What excites this unit?" in Look inside (issue #27): the target (a channel from an enlarged tile, or a class),
 * steps and seed, the expected time, then the picture growing as the run goes, with Cancel and the exports.
 */
import { useShallow } from 'zustand/react/shallow';

import type { FeatureVisTarget } from '../shared/protocol';
import { formatMs, formatRoughDuration } from '../shared/format';
import { useAppStore } from '../store';
import { classOptionText } from '../store/classSearch';
import { useFeatureVisJob, useFeatureVisSettings } from '../store/featureVisHooks';
import { FEATVIS_SIZES } from '../store/featureVisSlice';
import { ClassSearch } from './ClassSearch';
import { SelectField } from './SelectField';
import type { SelectOption } from './SelectField';
import { FeatureVisFigure } from './FeatureVisFigure';
import { DatasetExamples } from './DatasetExamples';

const SIZE_OPTIONS: readonly SelectOption<string>[] = FEATVIS_SIZES.map((n) => ({
  value: String(n),
  label: `${n} x ${n} px`,
}));

/** The target in words, with what is maximized. */
function describeTarget(target: FeatureVisTarget): string {
  if (target.kind === 'class') return `class ${classOptionText(target.classIndex)}, its logit`;
  const where = target.kind === 'block' ? `block ${target.block}` : target.stage;
  return `${where}, channel ${target.channel}, its mean activation`;
}

/** A whole number typed into a box: kept only when it is one (the box shows what was typed either way). */
function wholeNumber(text: string): number | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) ? n : null;
}

export function FeatureVisPanel() {
  const open = useAppStore((s) => s.featVisOpen);
  const openPanel = useAppStore((s) => s.openFeatVis);
  const close = useAppStore((s) => s.closeFeatVis);
  if (!open) {
    return (
      <section className="explain featvis" aria-labelledby="featvis-title">
        <header className="explain__header featvis__header">
          <div>
            <h3 id="featvis-title">What excites this unit?</h3>
            <p className="small muted">
              A picture made from noise to raise one channel or class as far as it goes (feature
              visualization).
            </p>
          </div>
          <button type="button" className="button" data-testid="featvis-open" onClick={() => openPanel()}>
            Visualize a unit
          </button>
        </header>
      </section>
    );
  }
  return (
    <section className="explain featvis" data-testid="featvis" aria-labelledby="featvis-title">
      <header className="explain__header featvis__header">
        <div>
          <h3 id="featvis-title">What excites this unit?</h3>
          <p className="small muted">
            Starting from noise, the picture follows the gradient that raises the unit, with small random
            shifts, scalings and turns at every step so that it works in general rather than at one pixel.
          </p>
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label="Close feature visualization"
          onClick={close}
        >
          ×
        </button>
      </header>
      <FeatureVisControls />
      <FeatureVisStatus />
      <FeatureVisFigure />
      <DatasetExamples />
    </section>
  );
}

function FeatureVisControls() {
  const { target, steps, seed, size, running, ready } = useFeatureVisSettings();
  const setTarget = useAppStore((s) => s.setFeatVisTarget);
  const setSteps = useAppStore((s) => s.setFeatVisSteps);
  const setSeed = useAppStore((s) => s.setFeatVisSeed);
  const setSize = useAppStore((s) => s.setFeatVisSize);
  const run = useAppStore((s) => s.runFeatVis);
  // A count past the engine's limit is refused there, with the limit in its message.
  const stepsOk = steps >= 1;
  return (
    <>
      <p className="small featvis__target" data-testid="featvis-target">
        {target ? (
          <>
            Maximizing <strong>{describeTarget(target)}</strong>.
          </>
        ) : (
          'Choose a class below, or enlarge a tile above and ask what excites its channel.'
        )}
      </p>
      <div className="explain__controls">
        <ClassSearch
          testId="featvis-class"
          classIndex={target?.kind === 'class' ? target.classIndex : null}
          onChoose={(classIndex) => setTarget({ kind: 'class', classIndex })}
          disabled={running}
        />
        <NumberField label="Steps" testId="featvis-steps" value={steps} min={1} onChange={setSteps} />
        <NumberField label="Seed" testId="featvis-seed" value={seed} min={0} onChange={setSeed} />
        <SelectField
          label="Size"
          testId="featvis-size"
          value={String(size)}
          options={SIZE_OPTIONS}
          disabled={running}
          onChange={(v) => setSize(Number(v))}
        />
        <button
          type="button"
          className="button button--primary explain__run"
          data-testid="featvis-run"
          disabled={!ready || !target || running || !stepsOk}
          onClick={() => void run()}
        >
          Run
        </button>
      </div>
    </>
  );
}

interface NumberFieldProps {
  label: string;
  testId: string;
  value: number;
  min: number;
  onChange: (value: number) => void;
}

function NumberField({ label, testId, value, min, onChange }: NumberFieldProps) {
  const running = useAppStore((s) => s.featVisStatus === 'running');
  return (
    <label className="field featvis__number">
      <span className="field__label">{label}</span>
      <input
        type="number"
        data-testid={testId}
        min={min}
        step={1}
        defaultValue={value}
        disabled={running}
        onChange={(e) => {
          const n = wholeNumber(e.target.value);
          if (n !== null) onChange(n);
        }}
      />
    </label>
  );
}

/** Before a run, its expected time; during one, its progress, the time left and Cancel; after, how it ended. */
function FeatureVisStatus() {
  const s = useFeatureVisJob();
  // Made anew on every read: selected whole, it would never equal the last one and the panel would redraw forever.
  const estimate = useAppStore(
    useShallow((st) => {
      const e =
        st.modelHandle && st.featVisTarget
          ? st.featVisStepTimes.estimate(st.modelHandle, st.featVisTarget, st.featVisSize, st.featVisSteps)
          : null;
      return e ?? { ms: 0, stepMs: 0, basis: null };
    }),
  );
  const cancel = useAppStore((st) => st.cancelFeatVis);
  if (s.status === 'running') {
    const fraction = s.progress?.fraction ?? 0;
    return (
      <div className="explain-progress">
        <div className="download__text small">
          <span className="download__label">
            {s.progress?.message ?? 'Starting'}
            {s.remaining !== null
              ? ` · about ${formatRoughDuration(s.remaining)} left at this pace (an estimate)`
              : ''}
          </span>
          <span className="muted">{Math.round(fraction * 100)}%</span>
        </div>
        <div className="download__row">
          <progress
            data-testid="featvis-progress"
            aria-label="Feature visualization"
            max={1}
            value={fraction}
          />
          <button type="button" className="button" data-testid="featvis-cancel" onClick={cancel}>
            Cancel
          </button>
        </div>
      </div>
    );
  }
  return (
    <p className="small muted featvis__note" data-testid="featvis-estimate" role="status">
      {s.status === 'cancelled' && 'Cancelled; the picture is where the run had got to. '}
      {s.status === 'error' && <span className="warn">{s.error} </span>}
      {estimate.basis
        ? `Expected: about ${formatRoughDuration(estimate.ms)} (an estimate: ${formatMs(estimate.stepMs)} a step, ` +
          `measured on the last finished run ${estimate.basis === 'same settings' ? 'of this depth and size' : 'with other settings'} on this model).`
        : 'Expected time: not known yet. The first run measures a step, and says the time left as it goes.'}
    </p>
  );
}
