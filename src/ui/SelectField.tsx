/** A labelled select over a fixed set of values: the one markup for every setting of the page. */

export interface SelectOption<T extends string> {
  value: T;
  label: string;
  disabled?: boolean;
}

interface Props<T extends string> {
  label: string;
  /** The select's data-testid: a contract with the tests, stable once made. */
  testId: string;
  value: T;
  options: readonly SelectOption<T>[];
  disabled?: boolean;
  /** Called with a value from `options` other than the current one. */
  onChange: (value: T) => void;
}

export function SelectField<T extends string>({
  label,
  testId,
  value,
  options,
  disabled,
  onChange,
}: Props<T>) {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <select
        data-testid={testId}
        value={value}
        disabled={disabled}
        onChange={(e) => {
          const next = options.find((o) => o.value === e.target.value);
          if (next && next.value !== value) onChange(next.value);
        }}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
