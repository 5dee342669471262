/** The page's layout: the sidebar (model, weights, backend, summary) beside the drop zone, results and Look inside. */
import { BackendBadge } from './BackendBadge';
import { BackendSelect } from './BackendSelect';
import { CameraPanel } from './CameraPanel';
import { ComparePanel } from './ComparePanel';
import { DropZone } from './DropZone';
import { ErrorBanner } from './ErrorBanner';
import { FeatureMapsPanel } from './FeatureMapsPanel';
import { Footer } from './Footer';
import { Header } from './Header';
import { LinkProblemsNotice } from './LinkProblemsNotice';
import { LiveAnnouncer } from './LiveAnnouncer';
import { ModelStatusIndicator } from './ModelStatusIndicator';
import { ModelSummaryTable } from './ModelSummaryTable';
import { MoreWaysIn } from './MoreWaysIn';
import { ResultsArea } from './ResultsArea';
import { ShareLinkButton } from './ShareLinkButton';
import { TopKInput } from './TopKInput';
import { UntrainedNotice } from './UntrainedNotice';
import { UpdateBanner } from './UpdateBanner';
import { VariantSelect } from './VariantSelect';
import { WeightsPanel } from './WeightsPanel';

export function App() {
  return (
    <div className="app">
      <Header />
      <LiveAnnouncer />
      <ErrorBanner />
      <LinkProblemsNotice />
      <UpdateBanner />
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
            <ShareLinkButton />
          </section>
          <ComparePanel />
          <WeightsPanel />
          <section className="panel" aria-label="Model summary">
            <h2>Stages</h2>
            <ModelSummaryTable />
          </section>
        </aside>
        <main className="main">
          <UntrainedNotice />
          <DropZone />
          <MoreWaysIn />
          <CameraPanel />
          <ResultsArea />
          <FeatureMapsPanel />
        </main>
      </div>
      <Footer />
    </div>
  );
}
