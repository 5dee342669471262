/** The page's layout: the sidebar (model, weights, backend, summary) beside the drop zone, results and Look inside. */
import { BackendBadge } from './BackendBadge';
import { BackendSelect } from './BackendSelect';
import { DropZone } from './DropZone';
import { ErrorBanner } from './ErrorBanner';
import { FeatureMapsPanel } from './FeatureMapsPanel';
import { Header } from './Header';
import { ModelStatusIndicator } from './ModelStatusIndicator';
import { ModelSummaryTable } from './ModelSummaryTable';
import { ResultGrid } from './ResultGrid';
import { TopKInput } from './TopKInput';
import { UntrainedNotice } from './UntrainedNotice';
import { VariantSelect } from './VariantSelect';
import { WeightsPanel } from './WeightsPanel';

export function App() {
  return (
    <div className="app">
      <Header />
      <ErrorBanner />
      <div className="layout">
        <aside className="sidebar">
          <section className="panel" aria-label="Model">
            <div className="controls">
              <VariantSelect />
              <TopKInput />
              <BackendSelect />
            </div>
            <ModelStatusIndicator />
            <BackendBadge />
          </section>
          <WeightsPanel />
          <section className="panel" aria-label="Model summary">
            <h2>Stages</h2>
            <ModelSummaryTable />
          </section>
        </aside>
        <main className="main">
          <UntrainedNotice />
          <DropZone />
          <ResultGrid />
          <FeatureMapsPanel />
        </main>
      </div>
    </div>
  );
}
