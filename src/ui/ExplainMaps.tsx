/**
 * The explanation's maps: placeholders for each stage it is computing, then the maps (a sweep's side by side,
 * with their shared time once), or what to do when nothing was asked yet.
 */
import type { Ref } from 'react';

import { isSweep } from '../shared/explain';
import { formatMs } from '../shared/format';
import { requestedStages } from '../store/explainSlice';
import { useCamOpacity, useExplainChoices, useExplainStages, useExplanation } from '../store/hooks';
import { ExplainMapFigure } from './ExplainMapFigure';

interface Props {
  /** The 224x224 input the network saw: every map is drawn over it. */
  input: ImageBitmap;
  /** The maps' container: Export PNG takes its canvases. */
  ref: Ref<HTMLDivElement>;
}

export function ExplainMaps({ input, ref }: Props) {
  const { active } = useExplainChoices();
  const stages = useExplainStages();
  const explanation = useExplanation();
  const opacity = useCamOpacity();
  const done = explanation?.status === 'done' ? explanation.result : null;
  const busy = explanation?.status === 'queued' || explanation?.status === 'running';
  // A sweep's maps come from shared passes (the engine splits the time evenly): its time is shown once.
  const sweep = (done?.length ?? 0) > 1;
  return (
    <>
      <div
        className={`explain__maps${explanation && isSweep(explanation.request) ? ' explain__maps--sweep' : ''}`}
        ref={ref}
        aria-live="polite"
        aria-busy={busy}
      >
        {explanation && busy
          ? requestedStages(explanation.request, stages).map((stage) => (
              <ExplainMapFigure
                key={stage}
                input={input}
                opacity={opacity}
                stage={stage}
                request={explanation.request}
                map={null}
                inSweep={sweep}
              />
            ))
          : done?.map((m) => (
              <ExplainMapFigure
                key={m.stage}
                input={input}
                opacity={opacity}
                stage={m.stage}
                request={m}
                map={m}
                inSweep={sweep}
              />
            ))}
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
    </>
  );
}
