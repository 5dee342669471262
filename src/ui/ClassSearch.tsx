/**
 * Any of the 1000 ImageNet classes, by name or number: a text box with the class list as native suggestions
 * (keyboard and screen-reader support come with the browser's datalist).
 */
import { useId, useMemo, useState } from 'react';

import { NUM_CLASSES } from '../shared/variants';
import { classOptionText, findClass } from '../store/classSearch';

interface Props {
  classIndex: number | null;
  onChoose: (classIndex: number) => void;
  disabled?: boolean;
  /** Explain's box by default; another panel's box names itself. */
  testId?: string;
}

const OPTIONS = Array.from({ length: NUM_CLASSES }, (_, i) => classOptionText(i));
const OPTION_INDEX = new Map(OPTIONS.map((o, i) => [o, i]));

export function ClassSearch({ classIndex, onChoose, disabled, testId = 'explain-class' }: Props) {
  const listId = useId();
  const hintId = useId();
  // What the user is typing; null shows the class chosen.
  const [draft, setDraft] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  // 1000 options: made once, so typing does not re-render them.
  const datalist = useMemo(
    () => (
      <datalist id={listId}>
        {OPTIONS.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    ),
    [listId],
  );
  const choose = (i: number) => {
    setDraft(null);
    setNotFound(false);
    if (i !== classIndex) onChoose(i);
  };
  return (
    <div className="field explain__class">
      <label className="field__label" htmlFor={`${listId}-input`}>
        Class
      </label>
      <input
        id={`${listId}-input`}
        type="text"
        list={listId}
        data-testid={testId}
        data-class-index={classIndex ?? ''}
        value={draft ?? (classIndex === null ? '' : classOptionText(classIndex))}
        placeholder="Search 1000 classes"
        autoComplete="off"
        spellCheck={false}
        disabled={disabled}
        aria-invalid={notFound}
        aria-describedby={hintId}
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => {
          const value = e.target.value;
          setNotFound(false);
          // Picking a suggestion (or typing one out) chooses it at once; anything else waits for Enter.
          const picked = OPTION_INDEX.get(value);
          if (picked !== undefined) choose(picked);
          else setDraft(value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && draft !== null) {
            e.preventDefault();
            const found = findClass(draft);
            if (found === null) setNotFound(true);
            else choose(found);
          } else if (e.key === 'Escape') {
            setDraft(null);
            setNotFound(false);
          }
        }}
        onBlur={() => {
          setDraft(null);
          setNotFound(false);
        }}
      />
      {datalist}
      <span id={hintId} className={`small ${notFound ? 'warn' : 'visually-hidden'}`} role="status">
        {notFound ? `No class matches “${draft}”.` : 'Type a class name or number, then pick or press Enter.'}
      </span>
    </div>
  );
}
