/**
 * The page's layout: the settings beside the drop zone, results and Look inside; on a narrow screen the drop zone
 * and the camera come first, under a compact model bar, in the page's order as well as on screen.
 */
import { CameraPanel } from './CameraPanel';
import { DropZone } from './DropZone';
import { ErrorBanner } from './ErrorBanner';
import { FeatureMapsPanel } from './FeatureMapsPanel';
import { Footer } from './Footer';
import { Header } from './Header';
import { LinkProblemsNotice } from './LinkProblemsNotice';
import { LiveAnnouncer } from './LiveAnnouncer';
import { MoreWaysIn } from './MoreWaysIn';
import { NetworkView } from './NetworkView';
import { ResultsArea } from './ResultsArea';
import { Sidebar } from './Sidebar';
import { UntrainedNotice } from './UntrainedNotice';
import { UpdateBanner } from './UpdateBanner';
import { useNarrowScreen } from './useNarrowScreen';

export function App() {
  const narrow = useNarrowScreen();
  const intake = {
    notice: <UntrainedNotice key="notice" />,
    drop: <DropZone key="drop" />,
    more: <MoreWaysIn key="more" />,
    camera: <CameraPanel key="camera" />,
  };
  // Keyed, so a turned tablet moves these rather than rebuilding them (a running camera keeps its picture).
  // On a phone the notice about untrained weights stands just above the results it is about.
  const order = narrow
    ? [intake.drop, intake.camera, intake.more, intake.notice]
    : [intake.notice, intake.drop, intake.more, intake.camera];
  return (
    <div className="app">
      <Header />
      <LiveAnnouncer />
      <ErrorBanner />
      <LinkProblemsNotice />
      <UpdateBanner />
      <div className="layout">
        <Sidebar narrow={narrow} />
        <main className="main">
          <NetworkView />
          {order}
          <ResultsArea />
          <FeatureMapsPanel />
        </main>
      </div>
      <Footer />
    </div>
  );
}
