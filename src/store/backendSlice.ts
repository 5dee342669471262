/** Which backend the user asked for, which one runs, and the engine's live tensor memory. */
import type { BackendChoice, BackendInfo, MemoryInfo } from '../shared/protocol';
import type { SliceCreator } from './types';

export interface BackendSlice {
  /** What the user asked for (`?backend=` or the setting); `backend.name` is what runs. */
  backendChoice: BackendChoice;
  backend: BackendInfo | null;
  /** Live tf.memory() of the engine, refreshed after every engine operation. */
  memory: MemoryInfo | null;
  setBackend: (backend: BackendInfo) => void;
  setMemory: (memory: MemoryInfo) => void;
}

export const createBackendSlice: SliceCreator<BackendSlice> = (set) => ({
  backendChoice: 'auto',
  backend: null,
  memory: null,
  setBackend: (backend) => set({ backend }),
  setMemory: (memory) => set({ memory }),
});
