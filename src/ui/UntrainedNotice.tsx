/** Says so when the model runs on untrained (seeded random) weights, and where real ones come from. */
import { useWeights } from '../store/hooks';
import { useNarrowScreen } from './useNarrowScreen';

export function UntrainedNotice() {
  const weights = useWeights();
  // On a narrow screen the Weights panel is folded away under the model bar's button (Sidebar.tsx).
  const where = useNarrowScreen() ? 'the Weights panel (under More settings)' : 'the Weights panel';
  if (weights && weights.origin !== 'random') return null;
  return (
    <p className="notice" role="note">
      <strong>These weights are untrained.</strong> The network is built exactly to the reference design, but
      its weights are random numbers from a fixed seed, so the classes it names are meaningless (yet
      reproducible: the same image gives the same answer after a reload). For real answers, load ImageNet
      weights in {where}, or pick the ImageNet-trained ResNet50.
    </p>
  );
}
