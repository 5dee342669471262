/**
 * The settings: on a wide screen a column beside the drop zone with everything open; on a narrow one a compact
 * bar (the model and its status) above the drop zone, with the rest behind a button, so a photo is one tap away.
 */
import { useId, useState } from 'react';

import { BackendBadge } from './BackendBadge';
import { BackendSelect } from './BackendSelect';
import { ComparePanel } from './ComparePanel';
import { ModelStatusIndicator } from './ModelStatusIndicator';
import { ModelSummaryTable } from './ModelSummaryTable';
import { ShareLinkButton } from './ShareLinkButton';
import { TeachPanel } from './TeachPanel';
import { TopKInput } from './TopKInput';
import { VariantSelect } from './VariantSelect';
import { WeightsPanel } from './WeightsPanel';

export function Sidebar({ narrow }: { narrow: boolean }) {
  const [open, setOpen] = useState(false);
  const moreId = useId();
  // The compare, weights and stage panels keep their places (and so their state, a half-typed address) when a
  // turned tablet crosses the width: only their wrapper hides. The model's own controls move, since the bar
  // keeps the model and its status and the rest follow the button that reveals them, in reading order.
  return (
    <aside className="sidebar">
      {narrow ? (
        <section className="panel model-bar" aria-label="Model">
          <VariantSelect />
          <ModelStatusIndicator />
          <button
            type="button"
            className="button model-bar__toggle"
            data-testid="settings-toggle"
            aria-expanded={open}
            aria-controls={moreId}
            onClick={() => setOpen((was) => !was)}
          >
            More settings
            <span className="model-bar__chevron" aria-hidden="true" />
          </button>
        </section>
      ) : (
        <section className="panel" aria-label="Model">
          <div className="controls">
            <VariantSelect />
            <TopKInput />
            <BackendSelect />
          </div>
          <ModelStatusIndicator />
          <BackendBadge />
          <ShareLinkButton />
        </section>
      )}
      <div className="sidebar__more" id={moreId} hidden={narrow && !open}>
        {narrow && (
          <section className="panel" aria-label="Model settings">
            <div className="controls">
              <BackendSelect />
              <TopKInput />
            </div>
            <BackendBadge />
            <ShareLinkButton />
          </section>
        )}
        <ComparePanel />
        <TeachPanel />
        <WeightsPanel />
        <section className="panel" aria-label="Model summary">
          <h2>Stages</h2>
          <ModelSummaryTable />
        </section>
      </div>
    </aside>
  );
}
