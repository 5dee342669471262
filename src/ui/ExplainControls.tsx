/**
 * What to explain: the method, the stage (or a sweep), the class and the overlay's opacity, with the method's
 * hint below. The stage select follows the methods table's rule: input pixels for the input-level methods, the
 * last stage alone for CAM.
 */
import { EXPLAIN_METHODS, explainMethodSpec } from '../shared/explain';
import type { ExplainMethod, StageChoice } from '../shared/explain';
import { useAppStore } from '../store';
import type { ExplainJobStatus } from '../store/explainSlice';
import {
  useCamOpacity,
  useExplainChoices,
  useExplainStages,
  useExplainTarget,
  useExplanation,
} from '../store/hooks';
import { ClassSearch } from './ClassSearch';
import { OpacitySlider } from './OpacitySlider';
import { SelectField } from './SelectField';
import type { SelectOption } from './SelectField';

const METHOD_OPTIONS: readonly SelectOption<ExplainMethod>[] = EXPLAIN_METHODS.map((m) => ({
  value: m.id,
  label: m.label,
}));

const SHOWN: readonly ExplainJobStatus[] = ['queued', 'running', 'done'];

export function ExplainControls() {
  const { method } = useExplainChoices();
  const target = useExplainTarget();
  const stages = useExplainStages();
  const explanation = useExplanation();
  const opacity = useCamOpacity();
  const setMethod = useAppStore((s) => s.setExplainMethod);
  const setStage = useAppStore((s) => s.setExplainStage);
  const setClass = useAppStore((s) => s.setExplainClass);
  const explain = useAppStore((s) => s.requestExplanation);

  const spec = explainMethodSpec(method);
  const inputLevel = spec.stages === 'input';
  const stageOptions: SelectOption<StageChoice | 'input'>[] = inputLevel
    ? [{ value: 'input', label: 'input pixels' }]
    : [
        ...stages.map((s) => ({ value: s, label: s })),
        ...(spec.stages === 'any' ? [{ value: 'all' as const, label: 'all stages (sweep)' }] : []),
      ];
  const stageValue = inputLevel ? 'input' : (target?.stage ?? stages.at(-1) ?? 'input');
  const shownRequest = explanation?.request;
  const isShown =
    !!explanation &&
    !!target &&
    SHOWN.includes(explanation.status) &&
    shownRequest?.method === target.method &&
    shownRequest.stage === target.stage &&
    shownRequest.classIndex === target.classIndex;

  return (
    <>
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
    </>
  );
}
