/**
 * "Why did it say that?": attribution maps of the inspected image for any class, method and stage, with the
 * evidence for trusting them (faithfulness curves, a method comparison, the sanity check) and export.
 */
import { useRef } from 'react';

import { ExplainActions } from './ExplainActions';
import { ExplainControls } from './ExplainControls';
import { ExplainFaithfulness, ExplainSanity } from './ExplainEvidence';
import { ExplainMaps } from './ExplainMaps';
import { ExplainOutcome } from './ExplainOutcome';
import { ExplainProgress } from './ExplainProgress';

interface Props {
  /** The 224x224 input the network saw: every map is drawn over it. */
  input: ImageBitmap;
}

export function ExplainPanel({ input }: Props) {
  const maps = useRef<HTMLDivElement>(null);
  return (
    <section className="explain" data-testid="explain" aria-labelledby="explain-title">
      <header className="explain__header">
        <h3 id="explain-title">Why did it say that?</h3>
        <p className="small muted">
          Which parts of the input raised the score of a class, by the method and at the stage you choose.
        </p>
      </header>
      <ExplainControls />
      <ExplainProgress />
      <ExplainOutcome />
      <ExplainMaps input={input} ref={maps} />
      <ExplainActions maps={maps} />
      <ExplainFaithfulness />
      <ExplainSanity input={input} />
    </section>
  );
}
