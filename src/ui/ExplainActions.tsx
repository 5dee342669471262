/**
 * What can be done with the explanation shown: export it (the numbers as JSON, the picture as PNG), measure its
 * faithfulness, compare every method, or run the sanity check. The last three need one stage, not a sweep.
 */
import type { RefObject } from 'react';

import { useAppStore } from '../store';
import { explanationFileName } from '../store/explainSlice';
import { useExplainTarget, useExplanation } from '../store/hooks';
import { exportMapsPng } from './mapSheet';

interface Props {
  /** Holds the maps' canvases, which Export PNG puts on one sheet. */
  maps: RefObject<HTMLDivElement | null>;
}

export function ExplainActions({ maps }: Props) {
  const target = useExplainTarget();
  const done = useExplanation()?.status === 'done';
  const exportJson = useAppStore((s) => s.exportExplanationJson);
  const measure = useAppStore((s) => s.requestFaithfulness);
  const compare = useAppStore((s) => s.compareExplainMethods);
  const checkSanity = useAppStore((s) => s.requestSanityCheck);
  const oneStage = target !== null && target.stage !== 'all';
  const exportPng = () => exportMapsPng(maps.current, `${explanationFileName(useAppStore.getState())}.png`);
  return (
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
  );
}
