/** Loading real weights: hub presets, a URL, or files; and exporting the model. */
import { useRef, useState } from 'react';

import { WEIGHTS_PRESETS, useAppStore } from '../store';
import { useCacheNote, useModelState } from '../store/hooks';
import { CachedWeightsList } from './CachedWeightsList';
import { DownloadProgress } from './DownloadProgress';
import { WeightsInfo } from './WeightsInfo';

export function WeightsPanel() {
  const { status } = useModelState();
  const loadWeightsFromFiles = useAppStore((s) => s.loadWeightsFromFiles);
  const loadWeightsFromUrl = useAppStore((s) => s.loadWeightsFromUrl);
  const exportModel = useAppStore((s) => s.exportModel);
  const cacheNote = useCacheNote();
  const weightsNote = useAppStore((s) => s.weightsNote);
  const weightsName = useAppStore((s) => s.weights?.name);
  const [url, setUrl] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const busy = status === 'loading';

  return (
    <section className="panel" aria-label="Weights">
      <h2>Weights</h2>
      <WeightsInfo />
      {weightsNote && weightsNote.weightsName === weightsName && (
        <p className="small" role="status" data-testid="weights-note">
          {weightsNote.text}
        </p>
      )}
      <div className="presets">
        {WEIGHTS_PRESETS.map((preset) => (
          <button
            key={preset.id}
            type="button"
            className="button"
            data-testid={`weights-preset-${preset.id}`}
            disabled={busy}
            title={preset.url}
            onClick={() => void loadWeightsFromUrl(preset.url)}
          >
            {preset.label}
          </button>
        ))}
      </div>
      <form
        className="url-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) void loadWeightsFromUrl(url.trim());
        }}
      >
        <input
          data-testid="weights-url"
          type="url"
          placeholder="https://…/model.safetensors or .pth"
          aria-label="Weights URL"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="submit" className="button" data-testid="weights-load" disabled={busy || !url.trim()}>
          Load
        </button>
      </form>
      <DownloadProgress />
      <div className="weights-actions">
        <button type="button" className="button" disabled={busy} onClick={() => fileInput.current?.click()}>
          Open weights file…
        </button>
        <button
          type="button"
          className="button"
          data-testid="export-model"
          disabled={busy}
          onClick={() => void exportModel()}
        >
          Export (TF.js)
        </button>
        <input
          ref={fileInput}
          data-testid="weights-input"
          className="visually-hidden"
          type="file"
          tabIndex={-1}
          aria-label="Choose weight files"
          multiple
          accept=".safetensors,.pth,.pt,.ckpt,.json,.bin"
          onChange={(e) => {
            void loadWeightsFromFiles(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
      </div>
      <p className="muted small">
        torchvision/timm ResNet18/34 as .safetensors or .pth, or a TF.js model.json with its shards; depth and
        layout are detected from the file. You can also drop weight files on the page.
      </p>
      {cacheNote && (
        <p className="small warn" role="status" data-testid="cache-note">
          {cacheNote}
        </p>
      )}
      <CachedWeightsList />
    </section>
  );
}
