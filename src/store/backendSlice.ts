import type { BackendInfo, MemoryInfo } from '../inference/protocol';
import type { SliceCreator } from './types';

export interface BackendSlice {
  backend: BackendInfo | null;
  /** Live tf.memory() of the engine, refreshed after every engine operation. */
  memory: MemoryInfo | null;
  setBackend: (backend: BackendInfo) => void;
  setMemory: (memory: MemoryInfo) => void;
}

export const createBackendSlice: SliceCreator<BackendSlice> = (set) => ({
  backend: null,
  memory: null,
  setBackend: (backend) => set({ backend }),
  setMemory: (memory) => set({ memory }),
});
