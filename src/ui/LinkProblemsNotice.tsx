/** What in the link the page was opened with could not be used, and what the page did instead; dismissable. */
import { useAppStore } from '../store';
import './intake.css';

export function LinkProblemsNotice() {
  const problems = useAppStore((s) => s.linkProblems);
  const dismiss = useAppStore((s) => s.dismissLinkProblems);
  if (problems.length === 0) return null;
  return (
    <div className="link-problems" role="status" data-testid="link-problems">
      <div>
        <strong>Part of this link could not be used.</strong>
        <ul>
          {/* Each sentence quotes the link: text, never HTML. */}
          {problems.map((problem, i) => (
            <li key={i}>{problem}</li>
          ))}
        </ul>
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
